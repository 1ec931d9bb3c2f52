/**
 * LDAP entity sync: reads users, computers, groups, OUs, the domain, GPOs, trusts, sites and subnets
 * from a DC with paged searches and turns each into an `entity.snapshot` draft.
 *
 * - Incremental by USN: each sync remembers the DC's highestCommittedUSN from when it began and next
 *   time asks only for `uSNChanged` above it. highestCommittedUSN is read before searching, so a
 *   change committed during a sync is read again by the next one (at-least-once; the event id of an
 *   object version is stable, so the bus drops the repeat).
 * - Deletions: an incremental sync reads tombstones (`isDeleted=TRUE` under the show-deleted control,
 *   which Samba and Windows both honour) changed since the last sync. A full pass (first run, other
 *   DC, USN rollback, state older than the tombstone lifetime allows, or asked for) cannot see
 *   tombstones that may have been purged, so it reports as deleted every object the state knew that
 *   the pass did not find (set difference). Either way only objects emitted before are reported gone.
 * - Group members come back through the extended-DN control, so `member` DNs carry their SIDs
 *   (`memberSids`) without one lookup per member.
 * The state is saved only after every snapshot was handed over, so a failed sync repeats, never skips.
 */
import { Client, Control, type Entry } from "ldapts";
import { finalizeEvent, InvalidEventError, type EventDraft, type EventOf } from "../contract/index.ts";
import { LdapSyncError, toLdapSyncError } from "./errors.ts";
import { goneDraft, mapEntry, type LdapEntry, type MapEntryContext } from "./map-entry.ts";
import {
  BINARY_ATTRIBUTES,
  classFilter,
  DOMAIN_CLASSES,
  EXTENDED_DN_OID,
  SHOW_DELETED_OID,
  SITE_CLASSES,
  SYNC_ATTRIBUTES,
} from "./schema.ts";
import { completeRanges } from "./ranges.ts";
import { loadState, saveState, type SyncState } from "./state.ts";

/** Where and how to reach the directory, and for whom the events are. */
export interface LdapSyncOptions {
  /** `ldap://host[:port]` or `ldaps://host[:port]`. */
  url: string;
  /** Bind DN or UPN (`svc-vigil@corp.example`) of the directory-service account. */
  bindDn: string;
  password: string;
  /** Subtree to read; default the domain partition (rootDSE defaultNamingContext). */
  baseDn?: string;
  /** TLS for ldaps:// and startTls: trusted CA(s), server name to check, and whether to verify at all. */
  tls?: { ca?: string | Buffer | (string | Buffer)[]; servername?: string; rejectUnauthorized?: boolean };
  /** Upgrade an ldap:// connection with StartTLS before binding. */
  startTls?: boolean;
  /** Entries per page (default 500, 1-1000: AD's MaxPageSize is 1000). */
  pageSize?: number;
  /** TCP connect timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Per-operation timeout (default 120 s). */
  timeoutMs?: number;
  tenantId: string;
  sensorId: string;
  /** JSON file with the USN watermark and known objects (under the sensor's data dir). */
  stateFile: string;
  /** Past this age a saved state is not trusted for deletions and a full pass runs (default 60 days; AD purges tombstones after 180). */
  maxIncrementalAgeMs?: number;
}

/** A malformed attribute or an unusable entry/state; the sync goes on. */
export interface LdapSyncProblem {
  dn?: string;
  attribute?: string;
  reason: string;
}

/** Progress after each page. */
export interface LdapSyncProgress {
  phase: "objects" | "sites" | "deleted";
  pages: number;
  entries: number;
  snapshots: number;
}

/** Callbacks of one sync run. */
export interface LdapSyncRunOptions {
  /** Receives every snapshot, validated and with its id; awaited per page, so a slow publisher slows the sync instead of piling up. */
  onSnapshot: (event: EventOf<"entity.snapshot">) => unknown;
  onProgress?: (progress: LdapSyncProgress) => void;
  onProblem?: (problem: LdapSyncProblem) => void;
  /** Ignore the saved state and read everything. */
  full?: boolean;
  signal?: AbortSignal;
}

/** What one sync did. */
export interface LdapSyncResult {
  mode: "full" | "incremental";
  /** Why a full pass ran (no state, other DC, …). */
  fullReason?: string;
  /** Changes above this USN were read (incremental only). */
  fromUsn?: number;
  /** The DC's highestCommittedUSN when the sync began: the next sync's starting point. */
  toUsn: number;
  /** How deletions were found: tombstones (incremental) or set difference (full). */
  deletionsBy: "tombstones" | "set-difference";
  snapshots: number;
  deleted: number;
  problems: number;
  pages: number;
  baseDn: string;
  dc: string;
}

/** A configured sync; each `sync()` opens its own connection, reads, and closes it. */
export interface LdapSync {
  sync(run: LdapSyncRunOptions): Promise<LdapSyncResult>;
}

const DAY_MS = 86_400_000;

/** Validates the options and returns the sync (nothing is contacted until `sync()`). */
export function createLdapSync(options: LdapSyncOptions): LdapSync {
  const problems = [
    ...(/^ldaps?:\/\/[^/]+\/?$/i.test(options.url)
      ? []
      : [`url ${JSON.stringify(options.url)} must be ldap://host[:port] or ldaps://host[:port]`]),
    ...(options.bindDn ? [] : ["bindDn is empty"]),
    ...(options.password ? [] : ["password is empty (anonymous binds cannot read the attributes the sync needs)"]),
    ...(options.pageSize === undefined || (Number.isInteger(options.pageSize) && options.pageSize >= 1 && options.pageSize <= 1000)
      ? []
      : [`pageSize ${options.pageSize} must be an integer from 1 to 1000`]),
    ...(options.startTls && /^ldaps:/i.test(options.url) ? ["startTls applies to ldap:// URLs, not ldaps://"] : []),
    ...(options.stateFile ? [] : ["stateFile is empty"]),
  ];
  if (problems.length > 0) throw new LdapSyncError("LDAP_INVALID_OPTIONS", problems.join("; "));
  return { sync: (run) => runSync(options, run) };
}

async function runSync(o: LdapSyncOptions, run: LdapSyncRunOptions): Promise<LdapSyncResult> {
  const tlsOptions = {
    ...(o.tls?.ca !== undefined ? { ca: o.tls.ca } : {}),
    ...(o.tls?.servername ? { servername: o.tls.servername } : {}),
    ...(o.tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.tls.rejectUnauthorized } : {}),
  };
  const client = new Client({
    url: o.url,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    timeout: o.timeoutMs ?? 120_000,
    tlsOptions,
    strictDN: false,
  });
  const step = async <T>(during: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (error) {
      throw toLdapSyncError(error, o.url, during);
    }
  };
  let problems = 0;
  const problem = (p: LdapSyncProblem) => {
    problems++;
    run.onProblem?.(p);
  };
  try {
    if (o.startTls) await step("connect", () => client.startTLS(tlsOptions));
    await step("connect", () => client.bind(o.bindDn, o.password));
    const root = await step("read of the rootDSE", () => readRootDse(client));
    const baseDn = o.baseDn ?? root.defaultNamingContext;
    const saved = await loadState(o.stateFile);
    if (saved && "problem" in saved) problem({ reason: `${saved.problem}; doing a full sync` });
    const state = saved && !("problem" in saved) ? saved : undefined;
    const fullReason = whyFull(o, run, state, root, baseDn);
    const fromUsn = fullReason ? undefined : state!.highestUsn;
    const known: SyncState["known"] = fullReason ? {} : { ...state!.known };
    // objectIds are domain-wide (only USNs are per DC), so another DC's state still names what existed.
    const previous = state?.baseDn === baseDn ? state.known : {};
    const ctx: MapEntryContext = {
      tenantId: o.tenantId,
      sensorId: o.sensorId,
      dc: root.dnsHostName,
      syncTime: new Date().toISOString(),
      onProblem: problem,
    };
    const counts = { snapshots: 0, deleted: 0, pages: 0 };
    const changed = fromUsn === undefined ? "" : `(uSNChanged>=${fromUsn + 1})`;
    const extendedDn = new Control(EXTENDED_DN_OID);

    const read = async (phase: LdapSyncProgress["phase"], base: string, filter: string, controls: Control[]) => {
      const progress = { phase, pages: 0, entries: 0, snapshots: 0 };
      const pages = client.searchPaginated(
        base,
        {
          scope: "sub",
          filter,
          attributes: SYNC_ATTRIBUTES,
          explicitBufferAttributes: BINARY_ATTRIBUTES,
          paged: { pageSize: o.pageSize ?? 500 },
        },
        controls,
      );
      for (;;) {
        run.signal?.throwIfAborted();
        const page = await step(`search of ${base} (${phase})`, () => pages.next());
        if (page.done) break;
        const handed: unknown[] = [];
        for (const entry of page.value.searchEntries) {
          progress.entries++;
          await step(`range retrieval of ${entry.dn}`, () => completeRanges(client, entry, controls));
          const mapped = mapEntry(entry as Entry as LdapEntry, ctx);
          const event = mapped && validated(mapped.draft, mapped.dn, problem);
          if (!mapped || !event) continue;
          if (phase === "deleted") {
            // Only objects an earlier sync emitted are reported gone; the rest came and went unseen.
            if (!(mapped.objectId in known)) continue;
            delete known[mapped.objectId];
            counts.deleted++;
          } else known[mapped.objectId] = [mapped.objectType, mapped.dn];
          handed.push(run.onSnapshot(event));
          progress.snapshots++;
          counts.snapshots++;
        }
        await Promise.all(handed);
        progress.pages++;
        counts.pages++;
        run.onProgress?.({ ...progress });
      }
    };

    await read("objects", baseDn, `(&${changed}${classFilter(DOMAIN_CLASSES)})`, [extendedDn]);
    await read("sites", `CN=Sites,${root.configurationNamingContext}`, `(&${changed}${classFilter(SITE_CLASSES)})`, [extendedDn]);
    if (fromUsn !== undefined) {
      const showDeleted = new Control(SHOW_DELETED_OID);
      const tombstones = (classes: readonly string[]) => `(&(isDeleted=TRUE)${changed}${classFilter(classes)})`;
      await read("deleted", root.defaultNamingContext, tombstones(DOMAIN_CLASSES), [showDeleted, extendedDn]);
      await read("deleted", root.configurationNamingContext, tombstones(SITE_CLASSES), [showDeleted, extendedDn]);
    } else {
      for (const [objectId, [objectType, dn]] of Object.entries(previous)) {
        if (objectId in known) continue;
        const event = validated(goneDraft({ objectId, objectType, dn }, ctx, root.highestCommittedUSN), dn, problem);
        if (!event) continue;
        await run.onSnapshot(event);
        counts.deleted++;
        counts.snapshots++;
      }
    }
    await saveState(o.stateFile, {
      version: 1,
      dsServiceName: root.dsServiceName,
      baseDn,
      highestUsn: root.highestCommittedUSN,
      syncedAt: new Date().toISOString(),
      known,
    });
    return {
      mode: fromUsn === undefined ? "full" : "incremental",
      ...(fullReason ? { fullReason } : {}),
      ...(fromUsn !== undefined ? { fromUsn } : {}),
      toUsn: root.highestCommittedUSN,
      deletionsBy: fromUsn === undefined ? "set-difference" : "tombstones",
      ...counts,
      problems,
      baseDn,
      dc: root.dnsHostName,
    };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** The finalized event, or undefined with the schema's reasons reported (the sync goes on). */
function validated(draft: EventDraft, dn: string, problem: (p: LdapSyncProblem) => void): EventOf<"entity.snapshot"> | undefined {
  try {
    return finalizeEvent(draft) as EventOf<"entity.snapshot">;
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    problem({ dn, reason: error.message });
    return undefined;
  }
}

function whyFull(
  o: LdapSyncOptions,
  run: LdapSyncRunOptions,
  state: SyncState | undefined,
  root: RootDse,
  baseDn: string,
): string | undefined {
  if (run.full) return "full sync requested";
  if (!state) return "no earlier sync state";
  if (state.dsServiceName !== root.dsServiceName) return `state is from another DC (${state.dsServiceName})`;
  if (state.baseDn !== baseDn) return `state is for base DN ${state.baseDn}`;
  if (state.highestUsn > root.highestCommittedUSN)
    return `the DC's highestCommittedUSN ${root.highestCommittedUSN} is below the saved ${state.highestUsn} (restored DC?)`;
  const maxAge = o.maxIncrementalAgeMs ?? 60 * DAY_MS;
  if (Date.now() - Date.parse(state.syncedAt) > maxAge) return `last sync ${state.syncedAt} is too old to trust tombstones`;
  return undefined;
}

interface RootDse {
  defaultNamingContext: string;
  configurationNamingContext: string;
  dsServiceName: string;
  dnsHostName: string;
  highestCommittedUSN: number;
}

async function readRootDse(client: Client): Promise<RootDse> {
  const { searchEntries } = await client.search("", {
    scope: "base",
    filter: "(objectClass=*)",
    attributes: ["defaultNamingContext", "configurationNamingContext", "dsServiceName", "dnsHostName", "highestCommittedUSN"],
  });
  const e = searchEntries[0];
  const get = (name: string) => {
    const v = e?.[name];
    const s = Array.isArray(v) ? v[0] : v;
    if (s === undefined || s.length === 0)
      throw new LdapSyncError("LDAP_SEARCH_FAILED", `rootDSE has no ${name}: is this an Active Directory DC?`);
    return s.toString();
  };
  const usn = Number(get("highestCommittedUSN"));
  if (!Number.isSafeInteger(usn) || usn < 0)
    throw new LdapSyncError("LDAP_SEARCH_FAILED", `rootDSE highestCommittedUSN ${get("highestCommittedUSN")} is not a number`);
  return {
    defaultNamingContext: get("defaultNamingContext"),
    configurationNamingContext: get("configurationNamingContext"),
    dsServiceName: get("dsServiceName"),
    dnsHostName: get("dnsHostName"),
    highestCommittedUSN: usn,
  };
}
