/**
 * Syslog messages around a CEF line, RFC 5424 or RFC 3164, as MDI sends them: facility auth,
 * severity warning (`<36>` in MDI's sample "Auth.Warning"), APP-NAME / TAG `CEF`, and in RFC 5424 the
 * MSGID is the CEF class name cut to 32 characters. Header fields are printable US-ASCII without
 * spaces by both RFCs, so anything else in a host name is replaced rather than sent broken.
 * Stream framing for TCP and TLS is octet counting (RFC 6587 §3.4.1 / RFC 5425): `<length> <message>`.
 */

/** The two syslog formats MDI offers. */
export type SyslogFormat = "rfc5424" | "rfc3164";

/** What goes around one CEF line. */
export interface SyslogFields {
  format: SyslogFormat;
  /** HOSTNAME field: the sender (MDI: the sensor's name). */
  hostname: string;
  /** CEF class name, used as MSGID (RFC 5424). */
  msgId: string;
  time: Date;
  /** PROCID (RFC 5424) / TAG pid (RFC 3164); default none. */
  procId?: number;
}

/** facility auth (4) × 8 + severity warning (4). */
export const SYSLOG_PRI = 36;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Printable ASCII without spaces, at most `max` characters; "-" (NILVALUE) when nothing is left. */
export function headerToken(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, "_").slice(0, max);
  return clean.length > 0 ? clean : "-";
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** One syslog message (no framing, no trailing newline) carrying `cef`. */
export function syslogMessage(cef: string, f: SyslogFields): string {
  const host = headerToken(f.hostname, 255);
  if (f.format === "rfc5424") {
    const proc = f.procId !== undefined ? String(f.procId) : "-";
    return `<${SYSLOG_PRI}>1 ${f.time.toISOString()} ${host} CEF ${proc} ${headerToken(f.msgId, 32)} - ${cef}`;
  }
  // RFC 3164: local-time-free "Mmm dd hh:mm:ss" (we send UTC, as the RFC leaves the zone to convention).
  const t = f.time;
  const stamp = `${MONTHS[t.getUTCMonth()]} ${String(t.getUTCDate()).padStart(2, " ")} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  const tag = f.procId !== undefined ? `CEF[${f.procId}]` : "CEF";
  return `<${SYSLOG_PRI}>${stamp} ${headerToken(f.hostname.split(".")[0]!, 255)} ${tag}: ${cef}`;
}

/** Octet-counted frame for stream transports: the byte length, a space, the message. */
export function octetFrame(message: string): Buffer {
  const body = Buffer.from(message, "utf8");
  return Buffer.concat([Buffer.from(`${body.length} `, "ascii"), body]);
}
