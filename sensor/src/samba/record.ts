import { createHash } from "node:crypto";
import { toIsoUtc } from "../windows/record.ts";
import { isRecord } from "./values.ts";

/** One Samba JSON audit record: its `type`, event time, the body under the type's key, and a stable id. */
export interface SambaRecord {
  /** `Authentication`, `Authorization`, `dsdbChange`, `groupChange`, `passwordChange`, `dsdbTransaction`… */
  type: string;
  /** ISO 8601 UTC, microseconds kept. */
  time: string;
  body: Record<string, unknown>;
  /**
   * Samba records carry no record number; a hash of the JSON text identifies the record, so reading
   * the same file twice gives the same event ids (and JetStream drops the copies).
   */
  recordId: string;
}

/** What one line of a Samba log is: an audit record, a line that carries nothing, or a bad line. */
export type SambaLine = { kind: "record"; record: SambaRecord } | { kind: "skip" } | { kind: "problem"; reason: string };

/**
 * Samba's debug header before each message when `debug prefix timestamp` / `debug hires timestamp`
 * are on: `[2026/11/25 17:01:19.844962,  3, pid=…, class=auth_json_audit] ../../auth/auth_log.c:178(log_json)`.
 */
const HEADER = /^\[\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?,\s*\d+[^\]]*\](?:\s+\S+)?\s*$/;
/** The message itself: `JSON Authentication: {…}`, possibly behind a syslog prefix; bare `{…}` in JSON-lines exports. */
const MESSAGE = /^(?:.*?\bJSON [A-Za-z]+:\s*)?(\{.*\})\s*$/;

/** Record types whose `type` and body key Samba writes; anything else is read but counted as unknown. */
export const SAMBA_TYPES = ["Authentication", "Authorization", "dsdbChange", "dsdbTransaction", "groupChange", "passwordChange"] as const;

/** Classifies one line (without its newline). Never throws. */
export function parseSambaLine(line: string): SambaLine {
  const trimmed = line.trim();
  if (trimmed === "" || HEADER.test(trimmed)) return { kind: "skip" };
  const m = MESSAGE.exec(trimmed);
  if (!m) return { kind: "problem", reason: `not a Samba JSON audit line: ${JSON.stringify(trimmed.slice(0, 60))}` };
  let value: unknown;
  try {
    value = JSON.parse(m[1]!);
  } catch (error) {
    return { kind: "problem", reason: `malformed JSON: ${(error as Error).message}` };
  }
  if (!isRecord(value)) return { kind: "problem", reason: "audit message is not a JSON object" };
  const type = value["type"];
  if (typeof type !== "string" || type === "") return { kind: "problem", reason: "no `type` field" };
  const body = value[type];
  if (!isRecord(body)) return { kind: "problem", reason: `no \`${type}\` object beside its type` };
  const time = toIsoUtc(value["timestamp"]);
  if (!time) return { kind: "problem", reason: `no usable timestamp: ${JSON.stringify(value["timestamp"])}` };
  const recordId = createHash("sha256").update(m[1]!).digest("hex").slice(0, 24);
  return { kind: "record", record: { type, time, body, recordId } };
}

/** Whether text looks like Samba JSON audit output: its first message line is a typed audit record. */
export function looksLikeSambaAudit(head: string): boolean {
  for (const line of head.split("\n").slice(0, 20)) {
    const parsed = parseSambaLine(line);
    if (parsed.kind === "skip") continue;
    // Only the first full line is judged; a cut-off line at the end of the head may be partial.
    return parsed.kind === "record" && (SAMBA_TYPES as readonly string[]).includes(parsed.record.type);
  }
  return false;
}
