import type { EventDraft, EventKind, EventOf } from "../contract/index.ts";
import type { SambaRecord } from "./record.ts";

/** Who is mapping: the tenant and sensor, and the DC's host name when the caller knows it. */
export interface SambaMapContext {
  tenantId: string;
  sensorId: string;
  /**
   * The Samba DC that wrote the log. The JSON never names it, yet every record comes from a DC, so
   * `dc` is set from this when given and left to the processor otherwise.
   */
  dc?: string;
}

/** A draft of one kind, as a mapper builds it. */
export type Draft<K extends EventKind> = Omit<EventOf<K>, "id" | "v">;

/** Drafts (possibly none), or why a record of a known type is unusable. */
export type SambaMapResult = EventDraft[] | string;

export type SambaMapper = (record: SambaRecord, ctx: SambaMapContext) => SambaMapResult;

/** Fields every Samba draft shares. The record id is completed per draft by the dispatcher. */
export function base(record: SambaRecord, ctx: SambaMapContext) {
  const eventId = record.body["eventId"];
  return {
    tenantId: ctx.tenantId,
    sensorId: ctx.sensorId,
    time: record.time,
    ...(ctx.dc ? { dc: ctx.dc } : {}),
    origin: {
      format: "samba-json" as const,
      recordId: record.recordId,
      provider: record.type,
      ...(typeof eventId === "number" && Number.isInteger(eventId) ? { eventId } : {}),
      ...(ctx.dc ? { computer: ctx.dc } : {}),
    },
  };
}
