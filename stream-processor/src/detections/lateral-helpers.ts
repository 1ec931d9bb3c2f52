// Shared by the lateral-movement and coercion detections (group `lateral`): which hosts are DCs when
// the tenant context does not know yet, and holding a hit until its target is known to be one.
import type { Principal, VigilEvent } from "@vigil/sensor/contract";
import { isDcAccount, isDcHost, type EntityContext } from "../engine/context.ts";
import { DAY, HOUR, type AlertCandidate } from "../engine/detection.ts";
import type { DetectionState, Json } from "../engine/state.ts";
import { normHost, normSid } from "../engine/names.ts";

/** How long a host stays known as a DC after the last event that proved it. */
const DC_MEMORY_MS = 30 * DAY;
/** How long a hit against a host of unknown role waits for proof that the host is a DC. */
export const PENDING_MS = HOUR;
const MAX_PENDING = 20;

// LocalSystem, LocalService, NetworkService: a host acting as itself, never a remote attacker's identity.
const HOST_SIDS = new Set(["S-1-5-18", "S-1-5-19", "S-1-5-20"]);

/** True for the well-known identities a machine uses for its own services. */
export function isHostIdentity(p: Principal | undefined): boolean {
  const sid = normSid(p?.sid);
  return sid !== undefined && HOST_SIDS.has(sid);
}

/** True for a DC machine account or a host's own service identity: the legitimate owners of DC internals. */
export function isDcOrSelf(ctx: EntityContext, p: Principal | undefined): boolean {
  return isHostIdentity(p) || isDcAccount(ctx, p);
}

/** The machine that recorded the event: the target host of host events, else the DC, else the logging computer. */
export function recordingHost(event: VigilEvent): string | undefined {
  return event.target?.host ?? event.dc ?? event.origin.computer;
}

/**
 * Remembers a DC proven by this event (the mapper sets `dc` only when the record itself proves it,
 * e.g. a 4661 on the domain SAM) in the detection's own state: the shared context learns only from
 * a few DC-only kinds, and these detections must judge hosts whose KDC events are not exported.
 */
export function learnDc(state: DetectionState, event: VigilEvent): void {
  const host = normHost(event.dc);
  // Every KDC event carries `dc`: write only when the host is not remembered, to keep writes rare.
  if (host && state.get<number>("dc:", host) === undefined) state.set("dc:", host, 1, DC_MEMORY_MS);
}

/** True when the host is a DC according to the tenant context or this detection's own learning. */
export function isKnownDc(ctx: EntityContext, state: DetectionState, host: string | undefined): boolean {
  const h = normHost(host);
  return !!h && (isDcHost(ctx, h) || state.get<number>("dc:", h) !== undefined);
}

/** Holds a candidate against a host whose role is not known yet, for up to PENDING_MS of event time. */
export function hold(state: DetectionState, host: string | undefined, candidate: AlertCandidate): void {
  const h = normHost(host);
  if (!h) return;
  const held = state.get<Json[]>("pending:", h) ?? [];
  state.set("pending:", h, [...held, candidate as unknown as Json].slice(-MAX_PENDING), PENDING_MS);
}

/** The held candidates of a host that is now known to be a DC (removed from state), else none. */
export function release(ctx: EntityContext, state: DetectionState, host: string | undefined): AlertCandidate[] {
  // Asked on every KDC event; almost always nothing is held.
  if (!state.holds("pending:")) return [];
  const h = normHost(host);
  if (!h || !isKnownDc(ctx, state, h)) return [];
  const held = state.get<Json[]>("pending:", h);
  if (!held) return [];
  state.delete("pending:", h);
  return held as unknown as AlertCandidate[];
}

/**
 * A hit against `host` as emitted: immediately when the host is a known DC, held otherwise (and
 * emitted by a later `release` once an event proves the host is a DC). Earlier held hits of the
 * host are released with it.
 */
export function emitOnDc(ctx: EntityContext, state: DetectionState, host: string | undefined, candidate: AlertCandidate): AlertCandidate[] {
  if (isKnownDc(ctx, state, host)) return [...release(ctx, state, host), candidate];
  hold(state, host, candidate);
  return [];
}
