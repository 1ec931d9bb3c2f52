/** Public entry of @vigil/sensor: collectors and parsers. The wire schema is the `./contract` subpath. */

/** One Windows event as read from any source (the EVTX oracle's shape), and a problem reported while reading. */
export type { WindowsRecord, ReadProblem, ProblemUnit } from "./windows/index.ts";
/** Streams Windows event records from a path or stream (event XML, JSON flavours; plain, .gz, .zip; growing files). */
export { readWindowsRecords } from "./windows/index.ts";
/** Like readWindowsRecords, with each record's file, position and origin format. */
export { readLocatedRecords } from "./windows/index.ts";
/** Reads and maps in one pass, yielding event drafts. */
export { readWindowsEvents } from "./windows/index.ts";
/** Options and results of the readers. */
export type { ReadWindowsOptions, ReadWindowsEventsOptions, LocatedRecord, ReadProgress } from "./windows/index.ts";
/** Sniffs container, encoding, layout and JSON flavour of Windows event input; throws UnknownFormatError. */
export { detectFormat, UnknownFormatError } from "./windows/index.ts";
/** What detectFormat reports. */
export type { WindowsFormat, TextSyntax, JsonFlavor } from "./windows/index.ts";
/** Maps one Windows record to event-model drafts; counters for a batch; the event ids it maps. */
export { mapWindowsRecord, createMapStats, MAPPED_EVENT_IDS } from "./windows/index.ts";
/** Options, counters and problems of the mapping. */
export type { MapOptions, MapStats, MapProblem, MapContext, WindowsOriginFormat } from "./windows/index.ts";
