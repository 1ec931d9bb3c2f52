import { finalizeEvent } from "../contract/index.ts";
import { createSambaMapStats, mapSambaRecord, type SambaMapProblem } from "./map.ts";
import { parseSambaLine, type SambaRecord } from "./record.ts";

// Helpers of the Samba mapping tests; not exported from the package.
/** Records as Samba 4.17 wrote them in the lab run (datasets/samba-lab-run), trimmed of fields no mapper reads. */
export const auth = (fields: Record<string, unknown>, time = "2026-11-25T17:01:34.123649+0000") =>
  JSON.stringify({
    timestamp: time,
    type: "Authentication",
    Authentication: { version: { major: 1, minor: 2 }, eventId: 4624, logonType: 3, localAddress: null, workstation: null, ...fields },
  });
/** The lab domain's SID. */
export const SID = "S-1-5-21-283304971-1017160555-134615244";

/** Parses a line that must be a record. */
export function record(line: string): SambaRecord {
  const parsed = parseSambaLine(line);
  if (parsed.kind !== "record") throw new Error(`not a record: ${JSON.stringify(parsed)}`);
  return parsed.record;
}

/** Maps one line, checking every draft against the wire contract. */
export function map(line: string, dc?: string) {
  const problems: SambaMapProblem[] = [];
  const stats = createSambaMapStats();
  const drafts = mapSambaRecord(record(line), {
    tenantId: "t1",
    sensorId: "s1",
    ...(dc ? { dc } : {}),
    stats,
    onProblem: (p) => problems.push(p),
  });
  // Every draft must pass the wire contract.
  for (const d of drafts) finalizeEvent(d);
  return { drafts, problems, stats };
}
