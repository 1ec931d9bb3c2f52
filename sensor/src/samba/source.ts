import type { EventDraft } from "../contract/index.ts";
import type { ReadProblem } from "../windows/record.ts";
import { isSambaAuditFile, readSambaEvents } from "./read.ts";

/** The Samba JSON audit log as one of the inputs `readAnyEvents` recognises by content. */
export const sambaSource = {
  name: "samba-json",
  accepts: (file: string): Promise<boolean> => isSambaAuditFile(file),
  read: (file: string, options: { tenantId: string; sensorId: string; onProblem?: (p: ReadProblem) => void }): AsyncIterable<EventDraft> =>
    readSambaEvents(file, {
      tenantId: options.tenantId,
      sensorId: options.sensorId,
      ...(options.onProblem ? { onProblem: options.onProblem } : {}),
    }),
};
