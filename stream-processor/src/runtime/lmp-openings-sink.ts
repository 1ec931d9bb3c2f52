/**
 * The processor's step after a graph write: raise the tenant's journaled LMP openings
 * (lmp-openings.ts) onto the message's sink work, store them with the event's own alerts, and only
 * then acknowledge them in the journal, so an opening leaves it once its alert is stored.
 */
import type { IdentityGraph } from "@vigil/graph-model";
import type { VigilEvent } from "@vigil/sensor/contract";
import type { Engine } from "../engine/engine.ts";
import { withLmpExposure } from "../sinks/alert-writer.ts";
import { raiseLmpOpenings } from "./lmp-openings.ts";
import type { SinkWork } from "./outbox.ts";
import type { SinkResult } from "./sink-runner.ts";

/** What storing openings needs of the processor. */
export interface LmpOpeningsSinkDeps {
  graph: IdentityGraph;
  log: (line: string) => void;
  /** Whether stored updates are also forwarded to a SIEM (they join `unannounced`). */
  forwardsToSiem: boolean;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Adds the openings' alert updates to `work`, runs the sinks `again` for them and returns the
 * combined result; `first` is the result of the event's own sinks. A journal read failure is logged
 * and the openings wait for the tenant's next graph write.
 */
export async function sinkLmpOpenings(
  deps: LmpOpeningsSinkDeps,
  engine: Engine,
  work: SinkWork,
  event: VigilEvent,
  first: SinkResult,
  again: () => Promise<SinkResult>,
  unannounced: SinkWork["updates"],
): Promise<SinkResult> {
  const { graph, log } = deps;
  let raised;
  try {
    raised = await raiseLmpOpenings({ graph, raise: (...args) => engine.raise(...args) }, event.tenantId, event);
  } catch (err) {
    log(`reading LMP openings of tenant ${event.tenantId} failed (read again on its next graph write): ${errorText(err)}`);
    return first;
  }
  if (raised.ids.length === 0) return first;
  for (const u of raised.updates) {
    const update = { alert: await withLmpExposure(graph, u.alert) };
    work.updates.push(update);
    if (deps.forwardsToSiem) unannounced.push(update);
  }
  const second = raised.updates.length > 0 ? await again() : { created: 0, updated: 0, announced: 0 };
  if (!second.failure) {
    await graph
      .ackLmpOpenings(event.tenantId, raised.ids)
      .catch((err: unknown) => log(`acknowledging LMP openings failed: ${errorText(err)}`));
  }
  return {
    ...second,
    created: first.created + second.created,
    updated: first.updated + second.updated,
    announced: first.announced + second.announced,
  };
}
