import { createHash } from "node:crypto";
import { z } from "zod";
import * as kinds from "./kinds.ts";

/** One normalized event, whatever produced it (DESIGN.md §4). Detections read only this. */
export const vigilEvent = z.discriminatedUnion("kind", [
  kinds.kerberosAs,
  kinds.kerberosTgs,
  kinds.kerberosPreauthFailure,
  kinds.ntlm,
  kinds.logon,
  kinds.replication,
  kinds.directoryAccess,
  kinds.directoryChange,
  kinds.groupMembership,
  kinds.accountLifecycle,
  kinds.serviceInstall,
  kinds.shareAccess,
  kinds.samrQuery,
  kinds.ldapSearch,
  kinds.ldapBind,
  kinds.dnsQuery,
  kinds.netlogon,
  kinds.certificateRequest,
  kinds.radiusAccounting,
  kinds.entitySnapshot,
  kinds.sensorHeartbeat,
]);

export type VigilEvent = z.infer<typeof vigilEvent>;
export type EventKind = VigilEvent["kind"];
/** The event of one kind, e.g. `EventOf<"logon">`. */
export type EventOf<K extends EventKind> = Extract<VigilEvent, { kind: K }>;
/** What a mapper fills in; the id is derived, never chosen. */
export type EventDraft = VigilEvent extends infer E ? (E extends VigilEvent ? Omit<E, "id" | "v"> : never) : never;

/** Every event kind, in schema order. */
export const EVENT_KINDS = vigilEvent.options.map((o) => o.shape.kind.value) as EventKind[];

/** Why an event was rejected: one line per bad field, safe to put in a dead-letter header. */
export class InvalidEventError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid event: ${problems.join("; ")}`);
    this.name = "InvalidEventError";
  }
}

/** Validates unknown input (a decoded message) as an event; throws InvalidEventError with reasons. */
export function parseEvent(input: unknown): VigilEvent {
  const result = vigilEvent.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidEventError(result.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`));
}

/**
 * Stable id of an event: the same source record always hashes to the same id, so a sensor that
 * re-reads a file or drains its spool twice publishes the same `Nats-Msg-Id` and JetStream drops the
 * copy. Records without a source id (some wire events) hash their content instead.
 */
export function eventId(draft: EventDraft): string {
  const o = draft.origin;
  const identity = o.recordId
    ? [
        draft.tenantId,
        draft.sensorId,
        o.format,
        o.computer ?? "",
        o.channel ?? "",
        o.provider ?? "",
        draft.dc ?? "",
        o.recordId,
        o.eventId ?? "",
      ]
    : [draft.tenantId, draft.sensorId, canonicalJson(draft)];
  return createHash("sha256").update(identity.join("\u0000")).digest("hex").slice(0, 32);
}

/** Turns a mapper's draft into a validated event with its derived id. */
export function finalizeEvent(draft: EventDraft): VigilEvent {
  return parseEvent({ ...draft, v: 1, id: eventId(draft) });
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
