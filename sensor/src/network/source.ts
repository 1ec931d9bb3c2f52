import type { EventDraft } from "../contract/index.ts";
import type { ReadProblem } from "../windows/record.ts";
import { readNetworkEvents, sniffCapture } from "./read.ts";

/** Captures (pcap, pcapng, zips of them) as one of the inputs `readAnyEvents` recognises by content. */
export const networkSource = {
  name: "pcap",
  accepts: async (file: string): Promise<boolean> => (await sniffCapture(file)) !== undefined,
  read: (
    file: string,
    options: { tenantId: string; sensorId: string; keytab?: string; onProblem?: (p: ReadProblem) => void; signal?: AbortSignal },
  ): AsyncIterable<EventDraft> =>
    readNetworkEvents(
      { file },
      {
        tenantId: options.tenantId,
        sensorId: options.sensorId,
        ...(options.keytab ? { keytab: options.keytab } : {}),
        ...(options.onProblem ? { onProblem: options.onProblem } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    ),
};
