import type { EventDraft } from "./contract/index.ts";
import { networkSource } from "./network/source.ts";
import { sambaSource } from "./samba/source.ts";
import type { ReadProblem } from "./windows/record.ts";
import { readWindowsEvents, type ReadWindowsEventsOptions } from "./windows/index.ts";

/** Options every reader gets: the Windows readers' options plus what other sources need. */
export interface ReadAnyOptions extends ReadWindowsEventsOptions {
  /** Keytab for the network source (Kerberos tickets, SMB3 and sealed DCE/RPC). */
  keytab?: string;
  onProblem?: (problem: ReadProblem) => void;
}

/** One input format besides Windows events: recognised by content, read to event drafts. */
export interface EventSource {
  name: string;
  accepts(file: string): Promise<boolean>;
  read(file: string, options: ReadAnyOptions): AsyncIterable<EventDraft>;
}

/** Sources tried in order before the Windows readers (which take everything else). Each source adds one line. */
const SOURCES: EventSource[] = [sambaSource, networkSource];

/** Names of the recognised inputs, Windows last. */
export const SOURCE_NAMES: readonly string[] = [...SOURCES.map((s) => s.name), "windows"];

/**
 * Reads any file Vigil understands and yields event drafts, choosing the reader by content (magic
 * bytes, first records), never by file name: Samba JSON audit logs, pcap / pcapng and zips of
 * captures; everything else goes to the Windows readers (EVTX, event XML, JSON flavours, gz, zip).
 */
export async function* readAnyEvents(file: string, options: ReadAnyOptions): AsyncGenerator<EventDraft> {
  for (const source of SOURCES) {
    if (await source.accepts(file)) {
      yield* source.read(file, options);
      return;
    }
  }
  yield* readWindowsEvents(file, options);
}
