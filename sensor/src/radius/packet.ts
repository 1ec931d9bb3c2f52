import { createHash, timingSafeEqual } from "node:crypto";

/** RFC 2866 codes: Accounting-Request (4) from the NAS, Accounting-Response (5) from us. */
export const ACCOUNTING_REQUEST = 4;
export const ACCOUNTING_RESPONSE = 5;
/** Header: code, identifier, length (2), authenticator (16). RFC 2865 §3 bounds the whole packet to 4096. */
export const HEADER_LENGTH = 20;
export const MAX_LENGTH = 4096;

/** Why a datagram was not accepted; the server counts each and never answers these. */
export type DropReason = "short" | "bad-length" | "not-accounting-request" | "bad-attribute" | "unknown-client" | "bad-authenticator";

/** One attribute as sent. Vendor-Specific (26) ones keep their vendor id and raw bytes. */
export interface RadiusAttribute {
  type: number;
  value: Buffer;
  /** For type 26: the SMI vendor number from the first four value octets. */
  vendorId?: number;
}

/** A structurally valid Accounting-Request (its authenticator not yet checked). */
export interface AccountingRequest {
  identifier: number;
  authenticator: Buffer;
  attributes: RadiusAttribute[];
  /** The packet's bytes up to its Length field (octets beyond it are padding, RFC 2865 §3). */
  raw: Buffer;
}

/** A parse result: the request, or why the datagram is dropped. */
export type ParseResult = { ok: true; request: AccountingRequest } | { ok: false; reason: DropReason; detail: string };

/** Parses one UDP datagram as an Accounting-Request. Never throws. */
export function parseAccountingRequest(datagram: Buffer): ParseResult {
  if (datagram.length < HEADER_LENGTH)
    return { ok: false, reason: "short", detail: `${datagram.length} octets, a RADIUS header needs ${HEADER_LENGTH}` };
  const code = datagram[0]!;
  const length = datagram.readUInt16BE(2);
  // RFC 2865 §3: shorter than Length → silently discarded; longer → the extra octets are padding.
  if (length < HEADER_LENGTH || length > MAX_LENGTH || length > datagram.length)
    return { ok: false, reason: "bad-length", detail: `Length field ${length} with ${datagram.length} octets received` };
  if (code !== ACCOUNTING_REQUEST) return { ok: false, reason: "not-accounting-request", detail: `code ${code}` };
  const raw = datagram.subarray(0, length);
  const attributes: RadiusAttribute[] = [];
  for (let at = HEADER_LENGTH; at < length;) {
    if (at + 2 > length) return { ok: false, reason: "bad-attribute", detail: `attribute header cut at octet ${at}` };
    const type = raw[at]!;
    const size = raw[at + 1]!;
    if (size < 2 || at + size > length)
      return { ok: false, reason: "bad-attribute", detail: `attribute ${type} at octet ${at} has length ${size}` };
    const value = Buffer.from(raw.subarray(at + 2, at + size));
    attributes.push(type === 26 && value.length >= 4 ? { type, value, vendorId: value.readUInt32BE(0) } : { type, value });
    at += size;
  }
  return {
    ok: true,
    request: { identifier: raw[1]!, authenticator: Buffer.from(raw.subarray(4, HEADER_LENGTH)), attributes, raw: Buffer.from(raw) },
  };
}

/**
 * RFC 2866 §3: the Request Authenticator is MD5(Code + Identifier + Length + 16 zero octets +
 * request attributes + shared secret). A mismatch means the NAS and we disagree on the secret (or the
 * packet was forged); such packets are dropped unanswered.
 */
export function requestAuthenticatorValid(request: AccountingRequest, secret: string): boolean {
  const zeroed = Buffer.from(request.raw);
  zeroed.fill(0, 4, HEADER_LENGTH);
  const expected = createHash("md5").update(zeroed).update(secret, "utf8").digest();
  return timingSafeEqual(expected, request.authenticator);
}

/**
 * The Accounting-Response for a request, without attributes: Response Authenticator =
 * MD5(Code + Identifier + Length + Request Authenticator + attributes + shared secret).
 */
export function accountingResponse(request: AccountingRequest, secret: string): Buffer {
  const packet = Buffer.alloc(HEADER_LENGTH);
  packet[0] = ACCOUNTING_RESPONSE;
  packet[1] = request.identifier;
  packet.writeUInt16BE(HEADER_LENGTH, 2);
  request.authenticator.copy(packet, 4);
  const digest = createHash("md5").update(packet).update(secret, "utf8").digest();
  digest.copy(packet, 4);
  return packet;
}

/** Builds an Accounting-Request with a valid authenticator: what a NAS sends (used by the bench and tests of edge cases radclient cannot produce). */
export function accountingRequest(identifier: number, attributes: { type: number; value: Buffer }[], secret: string): Buffer {
  const body = Buffer.concat(attributes.map((a) => Buffer.concat([Buffer.from([a.type, a.value.length + 2]), a.value])));
  const packet = Buffer.concat([Buffer.alloc(HEADER_LENGTH), body]);
  packet[0] = ACCOUNTING_REQUEST;
  packet[1] = identifier & 0xff;
  packet.writeUInt16BE(packet.length, 2);
  createHash("md5").update(packet).update(secret, "utf8").digest().copy(packet, 4);
  return packet;
}
