import type { EventDraft } from "../../contract/index.ts";
import type { WindowsRecord } from "../record.ts";
import { accountMappers } from "./accounts.ts";
import { authMappers } from "./auth.ts";
import type { MapContext, Mapper } from "./common.ts";
import { directoryMappers } from "./directory.ts";
import { hostMappers } from "./hosts.ts";

export type { MapContext, WindowsOriginFormat } from "./common.ts";

/**
 * Rules every mapper follows (DESIGN.md §4):
 * - `actor` is the principal that acts or authenticates: Target* for authentication events (4624,
 *   4625, 4768, 4771, 4776; the client of 4769), Subject* for everything that changes or reads
 *   something (directory, accounts, groups, shares, SAM), System UserID for 7045.
 * - `target` is the object acted on: the service account (4769), the account / group / DN changed,
 *   or the machine that logged the event (`target.host`) for logons, NTLM, shares and services.
 * - `src` is the client: IpAddress / IpPort / workstation name.
 * - `dc` is set only when the record itself proves it was logged on a DC: KDC, DS-access, Netlogon
 *   and DSRM events, 4741-4743, global / universal group changes, and account events about a domain
 *   (not the machine's own SAM) account. Events any host writes (logons, shares, services, 4776)
 *   leave it unset; the processor knows its DCs.
 * - Values: `-` and empty are absent, `::ffff:` is stripped from IPs, hex and decimal codes become
 *   numbers, flags and masks one hex spelling, names are trimmed and keep a machine account's `$`.
 */
const MAPPERS: Record<number, Mapper> = { ...authMappers, ...directoryMappers, ...accountMappers, ...hostMappers };

/** Event ids Vigil maps; every other id maps to no draft and is counted as unknown. */
export const MAPPED_EVENT_IDS: readonly number[] = Object.keys(MAPPERS)
  .map(Number)
  .sort((a, b) => a - b);

/** Why a record of a mapped id produced no draft. */
export interface MapProblem {
  eventId: number;
  recordId?: string;
  reason: string;
}

/** Counters over many records: how many mapped, to how many drafts, unknown ids, problems. */
export interface MapStats {
  records: number;
  drafts: number;
  /** Records of a mapped id that legitimately give no draft (a 4738 listing no change, a non-SAM 4661). */
  empty: number;
  problems: number;
  unknown: number;
  unknownIds: Record<number, number>;
  draftsByKind: Record<string, number>;
}

export function createMapStats(): MapStats {
  return { records: 0, drafts: 0, empty: 0, problems: 0, unknown: 0, unknownIds: {}, draftsByKind: {} };
}

export interface MapOptions extends MapContext {
  onProblem?: (problem: MapProblem) => void;
  stats?: MapStats;
}

/**
 * Maps one Windows record to event drafts (usually 0 or 1; a 4738 / 4742 gives one per changed
 * attribute). Unknown ids give `[]` and are counted; a mapped id whose fields are unusable gives `[]`
 * and a problem. Never throws.
 */
export function mapWindowsRecord(record: WindowsRecord, options: MapOptions): EventDraft[] {
  const stats = options.stats;
  if (stats) stats.records++;
  const mapper = MAPPERS[record.EventID];
  if (!mapper) {
    if (stats) {
      stats.unknown++;
      stats.unknownIds[record.EventID] = (stats.unknownIds[record.EventID] ?? 0) + 1;
    }
    return [];
  }
  let result: ReturnType<Mapper>;
  try {
    result = mapper(record, options);
  } catch (error) {
    result = `mapper failed: ${(error as Error).message}`;
  }
  if (typeof result === "string") {
    if (stats) stats.problems++;
    options.onProblem?.({ eventId: record.EventID, ...(record.EventRecordID ? { recordId: record.EventRecordID } : {}), reason: result });
    return [];
  }
  if (stats) {
    if (result.length === 0) stats.empty++;
    stats.drafts += result.length;
    for (const draft of result) stats.draftsByKind[draft.kind] = (stats.draftsByKind[draft.kind] ?? 0) + 1;
  }
  return result;
}
