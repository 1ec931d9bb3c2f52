/** Windows event readers (EVTX, event XML, JSON flavours; plain, gzip, zip, growing files) and the mapping to the event model. */
export type { WindowsRecord, ReadProblem, ProblemUnit } from "./record.ts";
export { readWindowsRecords, readLocatedRecords, type ReadWindowsOptions, type LocatedRecord } from "./read.ts";
export { readWindowsEvents, type ReadWindowsEventsOptions } from "./events.ts";
export type { ReadProgress } from "./input/source.ts";
export { detectFormat, UnknownFormatError, type WindowsFormat, type TextSyntax } from "./detect.ts";
export type { JsonFlavor } from "./json/flavors.ts";
export { readEvtx, readEvtxRecords, type EvtxReadOptions, type EvtxRecord } from "../evtx/index.ts";
export {
  mapWindowsRecord,
  createMapStats,
  MAPPED_EVENT_IDS,
  type MapOptions,
  type MapStats,
  type MapProblem,
  type MapContext,
  type WindowsOriginFormat,
} from "./map/index.ts";
