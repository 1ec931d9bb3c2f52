/** Public entry of @vigil/sensor: collectors and parsers. The wire schema is the `./contract` subpath. */

/** One Windows event as read from any source (the EVTX oracle's shape), and a problem reported while reading. */
export type { WindowsRecord, ReadProblem, ProblemUnit } from "./windows/index.ts";
/** Streams Windows event records from a path or stream (EVTX, event XML, JSON flavours; plain, .gz, .zip; growing files). */
export { readWindowsRecords } from "./windows/index.ts";
/** Like readWindowsRecords, with each record's file, position and origin format. */
export { readLocatedRecords } from "./windows/index.ts";
/** Reads and maps in one pass, yielding event drafts. */
export { readWindowsEvents } from "./windows/index.ts";
/** Options and results of the readers. */
export type { ReadWindowsOptions, ReadWindowsEventsOptions, LocatedRecord, ReadProgress } from "./windows/index.ts";
/** Vigil's EVTX reader: records of an EVTX file or byte stream, chunk by chunk, with file / chunk / record positions. */
export { readEvtx, readEvtxRecords } from "./windows/index.ts";
/** Options and located records of the EVTX reader. */
export type { EvtxReadOptions, EvtxRecord } from "./windows/index.ts";
/** Sniffs container, encoding, layout and JSON flavour of Windows event input; throws UnknownFormatError. */
export { detectFormat, UnknownFormatError } from "./windows/index.ts";
/** What detectFormat reports. */
export type { WindowsFormat, TextSyntax, JsonFlavor } from "./windows/index.ts";
/** Maps one Windows record to event-model drafts; counters for a batch; the event ids it maps. */
export { mapWindowsRecord, createMapStats, MAPPED_EVENT_IDS } from "./windows/index.ts";
/** Options, counters and problems of the mapping. */
export type { MapOptions, MapStats, MapProblem, MapContext, WindowsOriginFormat } from "./windows/index.ts";

/** Signs and publishes events, spooling them to disk in order while the bus is unreachable. */
export { createPublisher, type Publisher, type PublisherOptions, type PublisherStats, type PublishOutcome } from "./runtime/index.ts";
/** Spool damage reports, drain retry timing, and the part of the bus a publisher uses. */
export type { SpoolDamage, RetryOptions, PublishingBus } from "./runtime/index.ts";
/** Periodic `sensor.heartbeat` events with the publisher's counters. */
export { startHeartbeat, SENSOR_VERSION, HEARTBEAT_INTERVAL_MS, type Heartbeat, type HeartbeatOptions } from "./runtime/index.ts";
/** Reads inputs (files, `-`, followed files) and publishes every event; problems are counted, never fatal. */
export { runSensor, createRunSummary, type RunSensorOptions, type RunSummary } from "./runtime/index.ts";
/** An event bus that keeps connecting in the background, so a sensor starts (and spools) while NATS is down. */
export { connectInBackground, type BackgroundBus, type BackgroundBusOptions } from "./runtime/index.ts";
/** LDAP entity sync: users, computers, groups, OUs, domain, GPOs, trusts, sites, subnets as `entity.snapshot` events, incremental by USN. */
export { createLdapSync, LdapSyncError, isLdapSyncError } from "./ldap/index.ts";
/** Options, callbacks, results and error codes of the LDAP sync. */
export type {
  LdapSync,
  LdapSyncOptions,
  LdapSyncRunOptions,
  LdapSyncResult,
  LdapSyncProgress,
  LdapSyncProblem,
  LdapSyncErrorCode,
} from "./ldap/index.ts";
/** Coded errors of the sensor runtime. */
export { SensorError, isSensorError, type SensorErrorCode } from "./runtime/index.ts";
/** Ingest quotas on the sensor: the token bucket the publisher spools behind, and the watcher of `vigil.quota.<tenantId>` grants. */
export { IngestThrottle, watchIngestQuota, type QuotaWatch, type QuotaWatchOptions, type SensorRateLimit } from "./runtime/index.ts";

/** Reads a SharpHound / BloodHound CE collection zip into typed records (users, computers with local groups and sessions, groups, domains). */
export { readSharpHoundCollection, parseCollectionFile, SharpHoundError, isSharpHoundError } from "./sharphound/index.ts";
/** Records, options and problems of the SharpHound reader. */
export type {
  SharpHoundCollection,
  SharpHoundUser,
  SharpHoundComputer,
  SharpHoundGroup,
  SharpHoundDomain,
  SharpHoundGpoChanges,
  SharpHoundObject,
  SharpHoundKind,
  PrincipalRef,
  LocalGroupResult,
  SessionRecord,
  SessionMethod,
  CollectionFile,
  CollectionProblem,
  ReadCollectionOptions,
  SharpHoundErrorCode,
} from "./sharphound/index.ts";

/** Reads any supported event file (Samba JSON audit, Windows events, …), choosing the reader by content. */
export { readAnyEvents, SOURCE_NAMES, type ReadAnyOptions, type EventSource } from "./sources.ts";
/** Samba AD DC JSON audit logs: read (or follow across rotation) and map to the event model. */
export { readSambaEvents, isSambaAuditFile, mapSambaRecord, createSambaMapStats, MAPPED_SAMBA_TYPES, tailFile } from "./samba/index.ts";
/** Options, counters and problems of the Samba reader. */
export type { ReadSambaOptions, SambaMapStats, SambaMapProblem, SambaMapOptions, SambaRecord } from "./samba/index.ts";
/** `vigil sensor --samba-audit`: follows Samba audit files and publishes their events. */
export { runSambaAudit, type RunSambaAuditOptions } from "./samba/index.ts";
/** RADIUS accounting (RFC 2866): the UDP server that turns VPN Accounting-Requests into `radius.accounting` events. */
export { startRadiusServer, parseRadiusClients, accountingRequest } from "./radius/index.ts";
/** Options, secrets, counters and problems of the RADIUS server. */
export type { RadiusServer, RadiusServerOptions, RadiusSecrets, RadiusStats, RadiusProblem } from "./radius/index.ts";
/** The network source: captures (pcap, pcapng, zips of them) and live interfaces dissected by tshark, mapped to events. */
export {
  readNetworkEvents,
  runNetworkSensor,
  sniffCapture,
  NetworkMapper,
  createNetworkStats,
  captureFilter,
  TsharkMissingError,
} from "./network/index.ts";
/** Options and counters of the network source. */
export type { ReadNetworkOptions, RunNetworkSensorOptions, NetworkStats, NetworkMapOptions, TsharkOptions } from "./network/index.ts";

/** GPO local administrators: reads Restricted Groups (GptTmpl.inf) and GPP Groups.xml from a SYSVOL / Policies copy, scopes GPOs by gPLink from LDAP snapshots, yields admin grants. */
export { readGpoPolicies, buildGpoDirectory, evaluateLocalAdmins, GpoError, isGpoError, ADMINISTRATORS_SID } from "./gpo/index.ts";
/** Options, records and results of the GPO reader. */
export type {
  GpoPolicies,
  ReadGpoPoliciesOptions,
  GpoLocalAdminPolicy,
  PolicyFileReport,
  AdminGroupChange,
  MemberRef,
  GpoDirectory,
  DirectoryEntity,
  LocalAdminEvaluation,
  LocalAdminGrant,
  UnresolvedMember,
  SkippedLink,
  GpoErrorCode,
} from "./gpo/index.ts";
