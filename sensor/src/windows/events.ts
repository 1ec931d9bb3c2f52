import type { Readable } from "node:stream";
import type { EventDraft } from "../contract/index.ts";
import { mapWindowsRecord, type MapStats } from "./map/index.ts";
import { readLocatedRecords, type ReadWindowsOptions } from "./read.ts";

export interface ReadWindowsEventsOptions extends ReadWindowsOptions {
  tenantId: string;
  sensorId: string;
  /** Filled as records are mapped (see createMapStats). */
  stats?: MapStats;
}

/**
 * Reads Windows events and maps them to event drafts in one pass. Read problems and mapping problems
 * (a known event id with unusable fields) both reach `onProblem`, with the record's file and position.
 */
export async function* readWindowsEvents(source: string | Readable, options: ReadWindowsEventsOptions): AsyncGenerator<EventDraft> {
  const report = options.onProblem ?? (() => undefined);
  for await (const { record, file, position, unit, format } of readLocatedRecords(source, options)) {
    yield* mapWindowsRecord(record, {
      tenantId: options.tenantId,
      sensorId: options.sensorId,
      format,
      ...(options.stats ? { stats: options.stats } : {}),
      onProblem: (p) =>
        report({ file, position, unit, reason: p.reason, eventId: p.eventId, ...(p.recordId ? { recordId: p.recordId } : {}) }),
    });
  }
}
