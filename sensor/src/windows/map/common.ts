import type { EventDraft, EventKind, EventOf } from "../../contract/index.ts";
import type { WindowsRecord } from "../record.ts";
import { clean } from "./values.ts";

/** Which source format the record came from; it becomes `origin.format` and part of the event id. */
export type WindowsOriginFormat = "evtx" | "event-xml" | "event-json";

export interface MapContext {
  tenantId: string;
  sensorId: string;
  format: WindowsOriginFormat;
}

/** A draft of one kind, as a mapper builds it. */
export type Draft<K extends EventKind> = Omit<EventOf<K>, "id" | "v">;

/** A mapper's answer: drafts (possibly none), or why a record of a known id is unusable. */
export type MapResult = EventDraft[] | string;

export type Mapper = (record: WindowsRecord, ctx: MapContext) => MapResult;

/** Fields every Windows draft shares; `dc` only when the caller established the host is a DC. */
export function base(record: WindowsRecord, ctx: MapContext, onDc: boolean) {
  const dc = onDc ? clean(record.Computer) : undefined;
  return {
    tenantId: ctx.tenantId,
    sensorId: ctx.sensorId,
    time: record.TimeCreated,
    ...(dc ? { dc } : {}),
    origin: {
      format: ctx.format,
      eventId: record.EventID,
      ...(record.EventRecordID ? { recordId: record.EventRecordID } : {}),
      ...(record.Provider ? { provider: record.Provider } : {}),
      ...(record.Channel ? { channel: record.Channel } : {}),
      ...(clean(record.Computer) ? { computer: clean(record.Computer) } : {}),
    },
  };
}

/** Names a host's own SAM uses for accounts that are not domain accounts. */
const LOCAL_AUTHORITIES = new Set(["builtin", "nt authority", "nt service", "workgroup", "font driver host", "window manager"]);

/**
 * Whether an account-management event was logged by a DC, judged from the record alone: on a member
 * server or workstation these events concern the machine's own SAM, whose domain name is the
 * computer's name (or Builtin / NT AUTHORITY); an account in any other domain can only have been
 * managed — and logged — by a domain controller. Builtin groups are undecidable and count as not.
 */
export function loggedOnDcForDomainAccount(record: WindowsRecord, domain: string | undefined): boolean {
  const d = clean(domain)?.toLowerCase();
  const computer = clean(record.Computer)?.toLowerCase();
  if (!d || !computer || LOCAL_AUTHORITIES.has(d)) return false;
  return d !== computer.split(".")[0];
}

/** Machine accounts end in `$`; used where the event does not say what kind of account it is. */
export function accountTypeOf(name: string | undefined): "user" | "computer" {
  return clean(name)?.endsWith("$") ? "computer" : "user";
}
