import { type Socket, connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { DirectoryConnectionTester, DirectoryTestFailure, DirectoryTestResult } from "./directory-tester.ts";

/** Options of {@link createLdapBindTester}. */
export interface LdapBindTesterOptions {
  /** Whole-attempt deadline in ms (default 5000). */
  timeoutMs?: number;
  /** ldaps: CA certificates to trust besides the system ones (AD CS roots are usually private). */
  ca?: string[];
}

// RFC 4511 result codes an admin can act on.
const SUCCESS = 0;
const INVALID_CREDENTIALS = 49;
const MAX_RESPONSE = 64 * 1024;

/**
 * A real LDAP simple bind (RFC 4511 BindRequest, BER-encoded here: one message, no dependency), then
 * unbind. Enough to tell "cannot reach the DC" from "wrong password"; the LDAP sync does the rest.
 * Over ldap:// the password crosses the network in clear, which AD also refuses unless configured
 * to; ldaps:// is what admins should configure.
 */
export function createLdapBindTester(options: LdapBindTesterOptions = {}): DirectoryConnectionTester {
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    test(target) {
      let url: URL;
      try {
        url = new URL(target.ldapUrl);
      } catch {
        return Promise.resolve(fail("protocol-error", "ldapUrl is not a URL"));
      }
      const secure = url.protocol === "ldaps:";
      if (!secure && url.protocol !== "ldap:") return Promise.resolve(fail("protocol-error", "ldapUrl must be ldap:// or ldaps://"));
      const host = url.hostname.replace(/^\[|\]$/g, "");
      const port = url.port ? Number(url.port) : secure ? 636 : 389;
      return bind({ host, port, secure, ca: options.ca, timeoutMs }, target.bindName, target.password);
    },
  };
}

function bind(
  at: { host: string; port: number; secure: boolean; ca?: string[]; timeoutMs: number },
  name: string,
  password: string,
): Promise<DirectoryTestResult> {
  return new Promise((resolve) => {
    let settled = false;
    let received = Buffer.alloc(0);
    const where = `${at.host}:${at.port}`;
    const socket: Socket = at.secure
      ? tlsConnect({ host: at.host, port: at.port, ca: at.ca, servername: at.host })
      : tcpConnect({ host: at.host, port: at.port });
    const finish = (result: DirectoryTestResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A polite unbind when the server answered; otherwise just drop the socket.
      if (result.ok || result.reason === "invalid-credentials" || result.reason === "refused") socket.end(unbindRequest(2));
      else socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(fail("timeout", `no LDAP answer from ${where} within ${at.timeoutMs} ms`)), at.timeoutMs);
    socket.once(at.secure ? "secureConnect" : "connect", () => socket.write(bindRequest(1, name, password)));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length > MAX_RESPONSE) return finish(fail("protocol-error", `${where} does not speak LDAP`));
      const code = bindResultCode(received);
      if (code === "incomplete") return;
      if (code === "invalid") return finish(fail("protocol-error", `${where} does not speak LDAP`));
      if (code === SUCCESS) return finish({ ok: true });
      if (code === INVALID_CREDENTIALS) return finish(fail("invalid-credentials", `${where} refused the user name or password`));
      finish(fail("refused", `${where} refused the bind (LDAP result ${code})`));
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (
        err.code === "ECONNREFUSED" ||
        err.code === "EHOSTUNREACH" ||
        err.code === "ENETUNREACH" ||
        err.code === "ENOTFOUND" ||
        err.code === "EAI_AGAIN"
      ) {
        finish(fail("unreachable", `cannot reach ${where} (${err.code})`));
      } else if (at.secure && /certificate|SSL|TLS|self.signed/i.test(`${err.code} ${err.message}`)) {
        finish(fail("tls-error", `TLS with ${where} failed: ${err.code ?? err.message}`));
      } else {
        finish(fail("unreachable", `connection to ${where} failed (${err.code ?? "error"})`));
      }
    });
    socket.on("close", () => finish(fail("protocol-error", `${where} closed the connection without an LDAP answer`)));
  });
}

const fail = (reason: DirectoryTestFailure, message: string): DirectoryTestResult => ({ ok: false, reason, message });

// --- BER, just the shapes a simple bind needs ---

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const integer = (value: number) => tlv(0x02, Buffer.from([value]));
const octets = (tag: number, text: string) => tlv(tag, Buffer.from(text, "utf8"));

/** LDAPMessage { messageID, BindRequest [APPLICATION 0] { version 3, name, simple [0] password } }. */
export function bindRequest(messageId: number, name: string, password: string): Buffer {
  const op = tlv(0x60, Buffer.concat([integer(3), octets(0x04, name), octets(0x80, password)]));
  return tlv(0x30, Buffer.concat([integer(messageId), op]));
}

function unbindRequest(messageId: number): Buffer {
  return tlv(0x30, Buffer.concat([integer(messageId), Buffer.from([0x42, 0x00])]));
}

/** Reads a header at `offset`: tag, content start and length; undefined when more bytes are needed. */
function header(buf: Buffer, offset: number): { tag: number; start: number; length: number } | undefined | "invalid" {
  if (buf.length < offset + 2) return undefined;
  const first = buf[offset + 1]!;
  if (first < 0x80) return { tag: buf[offset]!, start: offset + 2, length: first };
  const bytes = first & 0x7f;
  if (bytes === 0 || bytes > 4) return "invalid";
  if (buf.length < offset + 2 + bytes) return undefined;
  let length = 0;
  for (let i = 0; i < bytes; i++) length = length * 256 + buf[offset + 2 + i]!;
  return { tag: buf[offset]!, start: offset + 2 + bytes, length };
}

/** The resultCode of a BindResponse at the start of `buf`, "incomplete" or "invalid". */
export function bindResultCode(buf: Buffer): number | "incomplete" | "invalid" {
  const message = header(buf, 0);
  if (message === undefined) return "incomplete";
  if (message === "invalid" || message.tag !== 0x30) return "invalid";
  if (buf.length < message.start + message.length) return "incomplete";
  const id = header(buf, message.start);
  if (id === undefined || id === "invalid" || id.tag !== 0x02) return "invalid";
  const op = header(buf, id.start + id.length);
  if (op === undefined || op === "invalid" || op.tag !== 0x61) return "invalid";
  const code = header(buf, op.start);
  if (code === undefined || code === "invalid" || code.tag !== 0x0a || code.length !== 1) return "invalid";
  return buf[code.start]!;
}
