// Helpers shared by the recon group's detections (SAM-R, SMB, Kerberos and NTLM reconnaissance).
import type { VigilEvent } from "@vigil/sensor/contract";
import { isDcHost, type EntityContext } from "../engine/context.ts";
import { DAY } from "../engine/detection.ts";
import { isLoopback, normHost, normIp } from "../engine/names.ts";
import type { DetectionState, WindowEntry } from "../engine/state.ts";
import { sourceOf, type Source } from "./entities.ts";

/** The host that logged or answered an event: `dc`, else the target host, else the logging computer. */
export function recordingHost(event: VigilEvent): string | undefined {
  return event.dc ?? event.target?.host ?? event.origin.computer;
}

// How long a host this detection saw proven to be a DC is remembered in its own state.
const DC_MEMORY_MS = 30 * DAY;

/**
 * True when the event was recorded on (or answered by) a domain controller: the context knows the
 * host, or this detection's own state learned it earlier. Events whose `dc` the mapper set from the
 * record itself (a 4661 on the domain SAM named by DN, KDC events) prove the host is a DC; context
 * does not learn from `samr.query` yet, so each detection remembers what it saw.
 */
export function onDc(event: VigilEvent, state: DetectionState, ctx: EntityContext): boolean {
  const dc = normHost(event.dc);
  if (dc) state.set("dc:", dc, 1, DC_MEMORY_MS);
  for (const h of [event.dc, event.target?.host, event.origin.computer]) {
    const host = normHost(h);
    if (host && (isDcHost(ctx, h) || state.get<number>("dc:", host) !== undefined)) return true;
  }
  return false;
}

/** The distinct values of one field of window entries, in first-seen order. */
export function distinctOf<E extends WindowEntry>(entries: E[], field: keyof E & string): string[] {
  return [...new Set(entries.map((e) => String(e[field])))];
}

/** ISO time bounds of window entries, for an alert's first and last seen. */
export function timeBounds(entries: WindowEntry[]): { time: string; firstTime: string } {
  const ts = entries.map((e) => e.t);
  return { time: new Date(Math.max(...ts)).toISOString(), firstTime: new Date(Math.min(...ts)).toISOString() };
}

/**
 * The event's source when it came from another machine: a non-loopback IP or a named source host.
 * (sourceOf falls back to the recording host for a loopback address, which is the host itself.)
 */
export function remoteSource(event: VigilEvent): Source | undefined {
  const ip = normIp(event.src?.ip);
  if (ip ? isLoopback(ip) : !event.src?.host) return undefined;
  return sourceOf(event);
}
