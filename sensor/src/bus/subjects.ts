import { BusError } from "./errors.ts";
import type { BusEvent, BusHeaders, DeadLetter } from "./port.ts";

/** Subjects persisted in the events stream. */
export const EVENTS_PREFIX = "vigil.events";
/** Subjects persisted in the dead-letter stream: `vigil.deadletter.<original subject>`. */
export const DEADLETTER_PREFIX = "vigil.deadletter";
/** Default stream names. */
export const EVENTS_STREAM = "VIGIL_EVENTS";
export const DEADLETTER_STREAM = "VIGIL_DEADLETTER";
/** Default duplicate window of the events stream (sensors re-send a spool after outages of up to this long). */
export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60 * 60 * 1000;
/** Dead letters are published with a per-(consumer, seq) msg id, so a retried dead-letter publish is deduped. */
export const DEADLETTER_DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

/** Header names on dead letters. */
export const DeadLetterHeader = {
  reason: "Vigil-Dead-Letter-Reason",
  subject: "Vigil-Original-Subject",
  seq: "Vigil-Original-Seq",
  deliveryCount: "Vigil-Delivery-Count",
  consumer: "Vigil-Consumer",
  msgId: "Vigil-Original-Msg-Id",
} as const;
/** JetStream's dedupe header; both adapters expose it as `BusMessage.msgId`. */
export const MSG_ID_HEADER = "Nats-Msg-Id";

const TOKEN = /^[^\s.*>]+$/;
const NAME = /^[A-Za-z0-9_-]+$/;

/** Throws BUS_INVALID_SUBJECT unless `subject` is a well-formed subject (wildcards only if allowed). */
export function assertSubject(subject: string, allowWildcards: boolean): void {
  const tokens = subject.split(".");
  const ok = tokens.every((t, i) => TOKEN.test(t) || (allowWildcards && (t === "*" || (t === ">" && i === tokens.length - 1))));
  if (!ok) throw new BusError("BUS_INVALID_SUBJECT", `invalid subject "${subject}"`);
}

/** Throws BUS_INVALID_OPTIONS unless `name` is usable as a stream/consumer name or namespace. */
export function assertName(kind: string, name: string): void {
  if (!NAME.test(name)) throw new BusError("BUS_INVALID_OPTIONS", `invalid ${kind} "${name}" (letters, digits, - and _ only)`);
}

/** NATS wildcard match: `*` is one token, a trailing `>` one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length || (p[i] !== "*" && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

/** True for subjects (or filters) inside `prefix.>`. */
export function isUnder(prefix: string, subject: string): boolean {
  return subject.startsWith(`${prefix}.`) && subject.length > prefix.length + 1;
}

/** `vigil.deadletter.<original subject>`. */
export function deadLetterSubject(originalSubject: string): string {
  return `${DEADLETTER_PREFIX}.${originalSubject}`;
}

/** Header values cannot hold CR/LF and should stay small. */
function headerValue(v: string): string {
  return v.replace(/[\r\n]+/g, " ").slice(0, 1024);
}

/** What a dead letter records about the message it replaces. */
export interface DeadLetterSource {
  subject: string;
  headers: BusHeaders;
  seq: number;
  deliveryCount: number;
}

/** Headers of the dead letter: the original headers (minus the dedupe id) plus why and where from. */
export function deadLetterHeaders(src: DeadLetterSource, reason: string, consumer: string): Record<string, string> {
  const { [MSG_ID_HEADER]: msgId, ...rest } = src.headers;
  const h: Record<string, string> = {
    ...rest,
    [DeadLetterHeader.reason]: headerValue(reason),
    [DeadLetterHeader.subject]: src.subject,
    [DeadLetterHeader.seq]: String(src.seq),
    [DeadLetterHeader.deliveryCount]: String(src.deliveryCount),
    [DeadLetterHeader.consumer]: consumer,
  };
  if (msgId !== undefined) h[DeadLetterHeader.msgId] = msgId;
  return h;
}

/** The dedupe id of a dead letter: one per consumer and original message. */
export function deadLetterMsgId(consumer: string, seq: number): string {
  return `dl.${consumer}.${seq}`;
}

const decoder = new TextDecoder();

/** A BusEvent over raw parts. */
export function busEvent(subject: string, data: Uint8Array, headers: BusHeaders): BusEvent {
  return {
    subject,
    data,
    headers,
    string: () => decoder.decode(data),
    json: <T>() => JSON.parse(decoder.decode(data)) as T,
  };
}

/** A DeadLetter view of a message stored on a dead-letter subject. */
export function toDeadLetter(seq: number, subject: string, data: Uint8Array, headers: BusHeaders): DeadLetter {
  const original = headers[DeadLetterHeader.subject] ?? subject.slice(DEADLETTER_PREFIX.length + 1);
  const msgId = headers[DeadLetterHeader.msgId];
  return {
    ...busEvent(subject, data, headers),
    seq,
    originalSubject: original,
    reason: headers[DeadLetterHeader.reason] ?? "",
    originalSeq: Number(headers[DeadLetterHeader.seq] ?? 0),
    deliveryCount: Number(headers[DeadLetterHeader.deliveryCount] ?? 0),
    consumer: headers[DeadLetterHeader.consumer] ?? "",
    ...(msgId !== undefined ? { originalMsgId: msgId } : {}),
  };
}

/** Bytes of a payload given as text or bytes. */
export function toBytes(payload: Uint8Array | string): Uint8Array {
  return typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
}
