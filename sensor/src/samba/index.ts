/**
 * Samba AD DC JSON audit logs (auth, dsdb, group, password classes): reading, following and mapping
 * to the event model. Samba 4.17 audits neither KDC service-ticket requests nor DRSUAPI replication
 * (a DCSync shows only as an ordinary DCE/RPC logon), so this source yields no `kerberos.tgs` and no
 * `replication` events; the network source sees both on the wire.
 */
export { readSambaEvents, isSambaAuditFile, type ReadSambaOptions } from "./read.ts";
export {
  mapSambaRecord,
  createSambaMapStats,
  MAPPED_SAMBA_TYPES,
  type SambaMapStats,
  type SambaMapProblem,
  type SambaMapOptions,
} from "./map.ts";
export { parseSambaLine, looksLikeSambaAudit, type SambaRecord, type SambaLine } from "./record.ts";
export { tailFile, type TailOptions } from "./tail.ts";
export { runSambaAudit, type RunSambaAuditOptions } from "./run.ts";
