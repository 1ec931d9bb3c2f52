import type { EventKind, EventOf, VigilEvent } from "@vigil/sensor/contract";
import type { EntityContext } from "./context.ts";
import type { DetectionState } from "./state.ts";

/** Alert severity; order matters (aggregation keeps the highest seen). */
export type Severity = "low" | "medium" | "high";

/** Severity rank, for keeping the highest when candidates aggregate. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 1, medium: 2, high: 3 };

/** Event sources a detection works from (DETECTIONS.md): Windows events, network, LDAP sync, RADIUS. */
export type SourceCode = "E" | "N" | "L" | "R";

/** The part an entity plays in an alert. */
export type EntityRole = "actor" | "source" | "target" | "group" | "member" | "dc";

/** What kind of thing an alert entity is. */
export type AlertEntityKind = "user" | "computer" | "group" | "ip";

/** One entity named by an alert; `id` is a SID, host name or IP, `name` a readable label. */
export interface AlertEntity {
  role: EntityRole;
  kind: AlertEntityKind;
  id: string;
  name?: string;
}

/** What a detection emits for one event; the engine aggregates candidates into alerts. */
export interface AlertCandidate {
  detectionId: string;
  severity: Severity;
  title: string;
  /** Plain language: who did what, from where, to what. */
  description: string;
  /** Aggregation key, e.g. `account:s-1-5-21-…-1105` or `host:10.0.0.5`. */
  primaryEntity: string;
  entities: AlertEntity[];
  evidenceEventIds: string[];
  /** Event time (ISO 8601) of the newest evidence: normally the event that produced the candidate. */
  time: string;
  /** Event time of the oldest evidence when it predates `time` (a window of failures); the alert's first seen. */
  firstTime?: string;
}

/** Everything about a detection except its logic: what the catalog, the API and the meta-test read. */
export interface DetectionMeta {
  /** Stable id from DETECTIONS.md. */
  id: string;
  title: string;
  severity: Severity;
  /** MITRE ATT&CK technique ids. */
  mitre: string[];
  sources: SourceCode[];
  /** Event kinds the detection reads; the engine routes only these to it. */
  kinds: readonly EventKind[];
  /** Days of baseline before behavioural parts fully apply (0 = none). */
  learningPeriodDays: number;
  /** Aggregation window: candidates on the same primary entity closer than this update one alert. */
  windowMs: number;
  description: string;
  recommendedActions: string[];
}

/**
 * A detection as written: metadata plus a pure evaluation of the kinds it declares. `evaluate` must
 * not do I/O, read the clock or use randomness; windows run on event time so a replay gives the same
 * candidates as the live stream.
 */
export interface TypedDetection<K extends EventKind> extends DetectionMeta {
  kinds: readonly K[];
  evaluate(event: EventOf<K>, state: DetectionState, ctx: EntityContext): AlertCandidate[];
}

/** A detection as the engine holds it: any event may be offered, kinds it does not read give nothing. */
export interface Detection extends DetectionMeta {
  evaluate(event: VigilEvent, state: DetectionState, ctx: EntityContext): AlertCandidate[];
}

/** What the engine calls for an event of one of a detection's kinds: `target.evaluate(event, state, ctx)`. */
export interface EvaluateTarget {
  evaluate: Detection["evaluate"];
}

// The typed detection behind each defined one: the engine routes events by kind already, so it calls
// its evaluate directly and skips the kind check (one call and one list search per detection per
// event). Called as a method, not through a bound function: a bound call cannot be inlined and goes
// through an extra trampoline, on a path taken several times per event.
const routed = new WeakMap<Detection, EvaluateTarget>();

/** Turns a typed detection into an engine detection that ignores events outside its kinds. */
export function defineDetection<K extends EventKind>(detection: TypedDetection<K>): Detection {
  const kinds: readonly EventKind[] = detection.kinds;
  const reads = (event: VigilEvent): event is EventOf<K> => kinds.includes(event.kind);
  const defined: Detection = {
    ...detection,
    kinds,
    evaluate: (event, state, ctx) => (reads(event) ? detection.evaluate(event, state, ctx) : []),
  };
  routed.set(defined, detection as unknown as EvaluateTarget);
  return defined;
}

/** The object whose evaluate to call for an event whose kind the detection declares (the engine's routing). */
export function routedTarget(detection: Detection): EvaluateTarget {
  return routed.get(detection) ?? detection;
}

/** Milliseconds in a minute / hour / day, for readable window constants. */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
