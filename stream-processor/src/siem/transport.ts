/**
 * Syslog transports: UDP (one datagram per message), TCP and TCP+TLS (node:tls, CA configurable),
 * both octet-counted. Stream transports connect lazily and reconnect on the next send after any
 * error, so the forwarder's retry loop is the only place that decides when to try again.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { isIP, Socket } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { SiemConfigError, SiemDeliveryError } from "./errors.ts";
import { octetFrame, type SyslogFormat } from "./syslog.ts";

/** A tenant's syslog target (the SiemTarget row, or a typed config in tests). */
export interface SiemTargetConfig {
  host: string;
  port: number;
  protocol: "udp" | "tcp" | "tls";
  format: SyslogFormat;
  /** TLS: PEM CA bundle that signs the receiver's certificate; default the system CAs. */
  caPem?: string | null;
  /** TLS: name to verify in the receiver's certificate; default host. */
  serverName?: string | null;
}

/** Sends syslog messages to one target. */
export interface SyslogTransport {
  /** Resolves once the message is handed to the kernel (UDP) or written to the stream (TCP/TLS). */
  send(message: string): Promise<void>;
  close(): Promise<void>;
}

/** Throws SiemConfigError when the target cannot work at all (retrying would not help). */
export function validateTarget(t: SiemTargetConfig): void {
  if (!t.host || /\s/.test(t.host)) throw new SiemConfigError(`bad syslog host ${JSON.stringify(t.host)}`);
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) throw new SiemConfigError(`bad syslog port ${t.port}`);
  if (!["udp", "tcp", "tls"].includes(t.protocol)) throw new SiemConfigError(`bad syslog protocol ${String(t.protocol)}`);
  if (!["rfc5424", "rfc3164"].includes(t.format)) throw new SiemConfigError(`bad syslog format ${String(t.format)}`);
}

/** Opens (lazily) a transport for the target. */
export function createTransport(target: SiemTargetConfig, connectTimeoutMs = 5000): SyslogTransport {
  validateTarget(target);
  return target.protocol === "udp" ? udpTransport(target) : streamTransport(target, connectTimeoutMs);
}

function udpTransport(t: SiemTargetConfig): SyslogTransport {
  let socket: UdpSocket | undefined;
  return {
    send(message) {
      socket ??= createSocket(isIP(t.host) === 6 ? "udp6" : "udp4").on("error", () => {
        socket?.close();
        socket = undefined;
      });
      const s = socket;
      return new Promise((resolve, reject) =>
        s.send(Buffer.from(message, "utf8"), t.port, t.host, (err) =>
          err ? reject(new SiemDeliveryError(`udp ${t.host}:${t.port}: ${err.message}`, { cause: err })) : resolve(),
        ),
      );
    },
    async close() {
      socket?.close();
      socket = undefined;
    },
  };
}

function streamTransport(t: SiemTargetConfig, connectTimeoutMs: number): SyslogTransport {
  const where = `${t.protocol} ${t.host}:${t.port}`;
  let socket: Socket | TLSSocket | undefined;
  let connecting: Promise<Socket | TLSSocket> | undefined;

  const drop = (s: Socket) => {
    s.destroy();
    if (socket === s) socket = undefined;
  };

  const open = () =>
    new Promise<Socket | TLSSocket>((resolve, reject) => {
      const s =
        t.protocol === "tls"
          ? tlsConnect({
              host: t.host,
              port: t.port,
              // The certificate is checked against servername, else host (an IP target against its IP SANs).
              ...(t.serverName || !isIP(t.host) ? { servername: t.serverName ?? t.host } : {}),
              ...(t.caPem ? { ca: t.caPem } : {}),
            })
          : new Socket().connect(t.port, t.host);
      const ready = t.protocol === "tls" ? "secureConnect" : "connect";
      const timer = setTimeout(() => fail(new Error(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        s.destroy();
        reject(new SiemDeliveryError(`${where}: ${err.message}`, { cause: err }));
      };
      s.once("error", fail);
      s.once(ready, () => {
        clearTimeout(timer);
        s.off("error", fail);
        // Later failures (receiver gone) surface on the next write; until then just forget the socket.
        s.on("error", () => drop(s));
        s.on("close", () => drop(s));
        // A receiver never talks back; reading keeps a half-closed peer from going unnoticed.
        s.resume();
        resolve(s);
      });
    });

  return {
    async send(message) {
      if (!socket) {
        connecting ??= open().finally(() => (connecting = undefined));
        socket = await connecting;
      }
      const s = socket;
      await new Promise<void>((resolve, reject) =>
        s.write(octetFrame(message), (err) => {
          if (!err) return resolve();
          drop(s);
          reject(new SiemDeliveryError(`${where}: ${err.message}`, { cause: err }));
        }),
      );
    },
    async close() {
      const s = socket;
      socket = undefined;
      if (s) await new Promise<void>((resolve) => s.end(() => resolve()));
    },
  };
}
