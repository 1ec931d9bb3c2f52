import { BusError } from "./errors.ts";
import type { ConsumeOptions } from "./port.ts";
import { assertName, assertSubject, EVENTS_PREFIX, isUnder } from "./subjects.ts";

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new BusError("BUS_INVALID_OPTIONS", `${name} must be a positive integer, got ${v}`);
}

/** Reject consume options both adapters would otherwise interpret differently. */
export function validateConsume(o: ConsumeOptions): void {
  assertName("durable name", o.durable);
  assertSubject(o.filterSubject, true);
  if (!isUnder(EVENTS_PREFIX, o.filterSubject)) {
    throw new BusError("BUS_INVALID_SUBJECT", `filter "${o.filterSubject}" is not under ${EVENTS_PREFIX}.>`);
  }
  positiveInt("maxDeliver", o.maxDeliver);
  positiveInt("ackWaitMs", o.ackWaitMs);
  positiveInt("maxInFlight", o.maxInFlight);
  if (o.partition !== undefined && !(Number.isInteger(o.partition) && o.partition >= 0)) {
    throw new BusError("BUS_INVALID_OPTIONS", `partition must be an integer >= 0, got ${o.partition}`);
  }
  if (o.errorDelayMs !== undefined && !(o.errorDelayMs >= 0)) {
    throw new BusError("BUS_INVALID_OPTIONS", `errorDelayMs must be >= 0, got ${o.errorDelayMs}`);
  }
}
