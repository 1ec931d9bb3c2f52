import type { EventDraft } from "../contract/index.ts";
import { authMappers } from "./map-auth.ts";
import type { SambaMapContext, SambaMapper } from "./map-common.ts";
import { directoryMappers } from "./map-dsdb.ts";
import type { SambaRecord } from "./record.ts";

export type { SambaMapContext } from "./map-common.ts";

const MAPPERS: Record<string, SambaMapper> = { ...authMappers, ...directoryMappers };

/** Record types Vigil maps; any other type maps to no draft and is counted as unknown. */
export const MAPPED_SAMBA_TYPES: readonly string[] = Object.keys(MAPPERS).sort();

/** Why a record of a mapped type produced no draft. */
export interface SambaMapProblem {
  type: string;
  recordId: string;
  reason: string;
}

/** Counters over many records, as the Windows mapper keeps them (MapStats), keyed by record type. */
export interface SambaMapStats {
  records: number;
  drafts: number;
  /** Records of a mapped type that legitimately give no draft (a logon-trail dsdbChange, an NTLM Authorization). */
  empty: number;
  problems: number;
  unknown: number;
  unknownTypes: Record<string, number>;
  draftsByKind: Record<string, number>;
}

export function createSambaMapStats(): SambaMapStats {
  return { records: 0, drafts: 0, empty: 0, problems: 0, unknown: 0, unknownTypes: {}, draftsByKind: {} };
}

export interface SambaMapOptions extends SambaMapContext {
  onProblem?: (problem: SambaMapProblem) => void;
  stats?: SambaMapStats;
}

/**
 * Maps one Samba audit record to event drafts. Unknown types give `[]` and are counted; a mapped
 * type with unusable fields gives `[]` and a problem. Never throws. When one record gives several
 * drafts (a dsdbChange touching several attributes) each gets its own record id `<hash>/<n>`.
 */
export function mapSambaRecord(record: SambaRecord, options: SambaMapOptions): EventDraft[] {
  const stats = options.stats;
  if (stats) stats.records++;
  const mapper = MAPPERS[record.type];
  if (!mapper) {
    if (stats) {
      stats.unknown++;
      stats.unknownTypes[record.type] = (stats.unknownTypes[record.type] ?? 0) + 1;
    }
    return [];
  }
  let result: ReturnType<SambaMapper>;
  try {
    result = mapper(record, { tenantId: options.tenantId, sensorId: options.sensorId, ...(options.dc ? { dc: options.dc } : {}) });
  } catch (error) {
    result = `mapper failed: ${(error as Error).message}`;
  }
  if (typeof result === "string") {
    if (stats) stats.problems++;
    options.onProblem?.({ type: record.type, recordId: record.recordId, reason: result });
    return [];
  }
  if (result.length > 1) result.forEach((draft, i) => (draft.origin.recordId = `${record.recordId}/${i}`));
  if (stats) {
    if (result.length === 0) stats.empty++;
    stats.drafts += result.length;
    for (const draft of result) stats.draftsByKind[draft.kind] = (stats.draftsByKind[draft.kind] ?? 0) + 1;
  }
  return result;
}
