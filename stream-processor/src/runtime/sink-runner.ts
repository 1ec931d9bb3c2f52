/**
 * Runs one event's sink work: graph, then each alert update (store, then announcement). Each step
 * records its completion on the work item, so a retry after a transient failure resumes where the
 * last attempt stopped and never repeats a finished announcement. A failing graph does not hold back
 * the alerts (they matter more); the message is nak'ed if anything is left.
 */
import type { Prisma, RelationalStore } from "@vigil/db";
import type { IdentityGraph } from "@vigil/graph-model";
import type { EventBus } from "@vigil/sensor/bus";
import type { VigilEvent } from "@vigil/sensor/contract";
import type { HostTable } from "../engine/host-resolution.ts";
import { publishAlert } from "../sinks/alert-publisher.ts";
import { writeAlert, type EvidenceLookup } from "../sinks/alert-writer.ts";
import { isPermanentGraphError, writeGraph } from "../sinks/graph-writer.ts";
import type { SinkWork } from "./outbox.ts";

/** What the sinks need. */
export interface SinkDeps {
  store: RelationalStore;
  graph: IdentityGraph;
  bus: EventBus;
  log: (line: string) => void;
  evidence: (tenantId: string) => EvidenceLookup;
  /** A tenant's IP → computer table (engine context), to name sources known only by IP. */
  hosts?: (tenantId: string) => HostTable | undefined;
  /** Called between steps so a slow store does not run the message past its ack wait. */
  keepAlive: () => void;
}

/** Outcome of one attempt. */
export interface SinkResult {
  /** Why the work is not finished (transient failure), or undefined when it is. */
  failure?: string;
  created: number;
  updated: number;
  announced: number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** One attempt at everything still open on `work`. */
export async function runSinks(work: SinkWork, deps: SinkDeps): Promise<SinkResult> {
  const result: SinkResult = { created: 0, updated: 0, announced: 0 };
  const failures: string[] = [];
  if (!work.graphDone) {
    deps.keepAlive();
    try {
      await writeGraph(deps.graph, work.event, deps.hosts?.(work.event.tenantId));
      work.graphDone = true;
    } catch (err) {
      if (isPermanentGraphError(err)) {
        // Retrying cannot help and the alerts must not wait on it: record, skip this event's graph part.
        deps.log(`graph write of event ${work.event.id} (tenant ${work.event.tenantId}) skipped: ${message(err)}`);
        work.graphDone = true;
      } else {
        failures.push(`identity graph: ${message(err)}`);
      }
    }
  }
  for (const u of work.updates) {
    if (!u.stored) {
      deps.keepAlive();
      try {
        const write = await writeAlert(deps.store, u.alert, deps.evidence(u.alert.tenantId));
        u.stored = write.outcome;
        if (write.payload) u.payload = write.payload;
        if (write.outcome === "created") result.created++;
        if (write.outcome === "updated") result.updated++;
      } catch (err) {
        failures.push(`relational store (alert ${u.alert.id}): ${message(err)}`);
        // Later versions of the same alert must not be stored before this one is.
        break;
      }
    }
    if (!u.announced && u.stored !== "unchanged" && u.payload) {
      try {
        await publishAlert(deps.bus, { type: u.stored === "created" ? "created" : "updated", alert: u.payload });
        u.announced = true;
        result.announced++;
      } catch (err) {
        failures.push(`alert announcement: ${message(err)}`);
        break;
      }
    }
  }
  if (failures.length > 0) result.failure = failures.join("; ");
  return result;
}

/** Recently processed events, kept to give alert evidence rows their time and summary. Bounded, oldest first out. */
export class RecentEvents {
  readonly #events = new Map<string, { time: string; summary: Prisma.InputJsonValue }>();

  constructor(private readonly max = 10_000) {}

  add(event: VigilEvent): void {
    const key = `${event.tenantId}\u0000${event.id}`;
    this.#events.delete(key);
    this.#events.set(key, { time: event.time, summary: event as unknown as Prisma.InputJsonValue });
    while (this.#events.size > this.max) this.#events.delete(this.#events.keys().next().value!);
  }

  lookup(tenantId: string): EvidenceLookup {
    return (eventId) => this.#events.get(`${tenantId}\u0000${eventId}`);
  }
}
