/**
 * Alerts into the relational store, idempotently. The row is keyed by the engine's deterministic
 * alert id and carries the engine's current view of the alert: count and lastSeen are set, never
 * incremented, so writing the same update twice (redelivery, replay, restart) changes nothing.
 * Evidence rows are unique per (tenant, alert, event) and inserted with skipDuplicates.
 *
 * Versions only move forward: the engine's count grows by one with every merged candidate, so a
 * stored row with the same or a higher count already holds this version or a newer one (an update
 * retried after a later one succeeded) and is left alone. Analyst fields (status, classification,
 * assignee) are never written here.
 */
import type { Prisma, RelationalStore, Alert as AlertRow } from "@vigil/db";
import type { Alert } from "../engine/alerts.ts";
import type { Exposure, IdentityGraph } from "@vigil/graph-model";
import { normSid } from "../engine/names.ts";
import { hostNode, principalKey } from "./graph-keys.ts";

/** What writing an update did to the row. */
export type AlertWriteOutcome = "created" | "updated" | "unchanged";

/** The alert as announced on `vigil.alerts.<tenantId>` (the row without evidence; dates as ISO strings). */
export interface AlertPayload {
  tenantId: string;
  id: string;
  detectionId: string;
  severity: "low" | "medium" | "high";
  status: "open" | "closed" | "suppressed";
  title: string;
  description: string;
  primaryEntity: string;
  entities: unknown;
  mitre: string[];
  firstSeen: string;
  lastSeen: string;
  count: number;
  recommendedActions: string[];
}

/** Where an evidence event's time and summary come from; undefined when the processor no longer holds it. */
export type EvidenceLookup = (eventId: string) => { time: string; summary: Prisma.InputJsonValue } | undefined;

/** Result of one write: the outcome and, unless unchanged, the row as stored. */
export interface AlertWrite {
  outcome: AlertWriteOutcome;
  payload?: AlertPayload;
}

function engineFields(a: Alert) {
  return {
    detectionId: a.detectionId,
    severity: a.severity,
    title: a.title,
    description: a.description,
    primaryEntity: a.primaryEntity,
    entities: a.entities as unknown as Prisma.InputJsonValue,
    mitre: a.mitre,
    firstSeen: new Date(a.firstSeen),
    lastSeen: new Date(a.lastSeen),
    count: a.count,
    recommendedActions: a.recommendedActions,
  };
}

/** The announced form of a stored row. */
export function toPayload(row: AlertRow): AlertPayload {
  return {
    tenantId: row.tenantId,
    id: row.id,
    detectionId: row.detectionId,
    severity: row.severity,
    status: row.status,
    title: row.title,
    description: row.description,
    primaryEntity: row.primaryEntity,
    entities: row.entities,
    mitre: row.mitre,
    firstSeen: row.firstSeen.toISOString(),
    lastSeen: row.lastSeen.toISOString(),
    count: row.count,
    recommendedActions: row.recommendedActions,
  };
}

/**
 * Upserts one alert version and its evidence in one tenant-scoped transaction; the evidence rows
 * become exactly the engine's (bounded) evidence list. Evidence the
 * processor no longer holds (an event before a restart) is recorded with the alert's first-seen time
 * and a summary saying so, rather than not at all.
 */
export async function writeAlert(store: RelationalStore, alert: Alert, evidence: EvidenceLookup): Promise<AlertWrite> {
  return store.forTenant(alert.tenantId).transaction(async (tx) => {
    const existing = await tx.alert.findUnique({ where: { id: alert.id }, select: { count: true } });
    let write: AlertWrite;
    if (!existing) {
      const row = await tx.alert.create({ data: { id: alert.id, tenantId: alert.tenantId, ...engineFields(alert) } });
      write = { outcome: "created", payload: toPayload(row) };
    } else if (existing.count < alert.count) {
      const row = await tx.alert.update({ where: { id: alert.id }, data: engineFields(alert) });
      write = { outcome: "updated", payload: toPayload(row) };
    } else {
      write = { outcome: "unchanged" };
    }
    // The engine's list is the truth: after a crash, events the dead processor wrote but never acked
    // come back later than newer ones, so the bounded list the restarted engine keeps can differ from
    // rows already written. An engine still behind the stored count (replaying) removes nothing.
    if (!existing || existing.count <= alert.count) {
      await tx.alertEvidence.deleteMany({ where: { alertId: alert.id, eventId: { notIn: alert.evidenceEventIds } } });
    }
    if (alert.evidenceEventIds.length > 0) {
      await tx.alertEvidence.createMany({
        data: alert.evidenceEventIds.map((eventId) => {
          const known = evidence(eventId);
          return {
            tenantId: alert.tenantId,
            alertId: alert.id,
            eventId,
            time: new Date(known?.time ?? alert.firstSeen),
            summary: known?.summary ?? { eventId, note: "event no longer held by the processor when this evidence was recorded" },
          };
        }),
        skipDuplicates: true,
      });
    }
    return write;
  });
}

/** An alert entity with the lateral-movement exposure of the sensitive account it names. */
export type ExposedAlertEntity = Alert["entities"][number] & { lmpExposure?: Exposure };

/** The graph objectId of a user or computer alert entity, named as graph-keys.ts names nodes; undefined for others. */
function accountObjectId(e: Alert["entities"][number]): string | undefined {
  if (e.kind !== "user" && e.kind !== "computer") return undefined;
  const sid = normSid(e.id);
  if (sid) return sid;
  if (e.kind === "computer") return hostNode(e.id)?.objectId;
  // The id of an account without SID is its bare name; the label in `name` carries the domain.
  return principalKey({ name: e.name && /[\\@]/.test(e.name) ? e.name : e.id }, "User");
}

/**
 * The alert with `lmpExposure` ({ reachingAccounts, shortestHops }) on each user or computer entity
 * that is a sensitive account of the tenant (DESIGN.md §5: beyond MDI, the lateral movement exposure
 * of the accounts involved), stored in the `entities` JSON since the Alert row has no column for it.
 * A lookup of precomputed results per entity, never a search. A failing lookup leaves the entity
 * without exposure: the alert matters more than its enrichment. Returns a copy; `alert` is not changed.
 */
export async function withLmpExposure(graph: Pick<IdentityGraph, "exposure">, alert: Alert): Promise<Alert> {
  const entities = await Promise.all(
    alert.entities.map(async (e): Promise<ExposedAlertEntity> => {
      const objectId = accountObjectId(e);
      const exposure = objectId ? await graph.exposure(alert.tenantId, objectId).catch(() => null) : null;
      const { lmpExposure: _stale, ...plain } = e as ExposedAlertEntity;
      return exposure ? { ...plain, lmpExposure: exposure } : plain;
    }),
  );
  return { ...alert, entities };
}
