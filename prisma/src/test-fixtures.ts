// Row builders for the relational-store tests: one valid row of every tenant-scoped model.
import { randomBytes, createHash } from "node:crypto";
import type { RelationalStore } from "./open.ts";
import type { TenantModelName, TenantScopedClient } from "./tenant-scope.ts";

const DAY_MS = 86_400_000;

/** `n` days before `from`. */
export function daysAgo(n: number, from = new Date()): Date {
  return new Date(from.getTime() - n * DAY_MS);
}

/** A sensor key as the admin mutation will issue it: shown once, stored as prefix + sha256. */
export function sensorKey(): { key: string; keyPrefix: string; keyHash: string } {
  const key = `vgl_${randomBytes(24).toString("base64url")}`;
  return { key, keyPrefix: key.slice(0, 12), keyHash: createHash("sha256").update(key).digest("hex") };
}

/** Alert fields with sensible defaults. */
export function alertData(tenantId: string, over: { detectionId?: string; primaryEntity?: string; firstSeen?: Date } = {}) {
  const firstSeen = over.firstSeen ?? new Date();
  return {
    tenantId,
    detectionId: over.detectionId ?? "kerberoasting",
    severity: "high" as const,
    title: "Suspected Kerberoasting",
    description: "Many service tickets requested with RC4 by one account.",
    primaryEntity: over.primaryEntity ?? "user:S-1-5-21-1-2-3-1104",
    entities: [{ kind: "user", key: "user:S-1-5-21-1-2-3-1104" }],
    mitre: ["T1558.003"],
    firstSeen,
    lastSeen: firstSeen,
    recommendedActions: ["Reset the service account passwords"],
  };
}

/** Ids of the rows `seedTenant` created. */
export interface SeededTenant {
  tenantId: string;
  sensorId: string;
  alertId: string;
  evidenceId: string;
  commentId: string;
  tagId: string;
  credentialId: string;
  healthIssueId: string;
  auditId: string;
  siemTargetId: string;
  postureAssessmentId: string;
  postureScoreId: string;
}

/** Creates the tenant (platform-level) and one row of every tenant model through its scoped client. */
export async function seedTenant(store: RelationalStore, tenantId: string): Promise<SeededTenant> {
  await store.prisma.tenant.create({ data: { id: tenantId, name: `Tenant ${tenantId}` } });
  const db: TenantScopedClient = store.forTenant(tenantId);
  const { keyPrefix, keyHash } = sensorKey();
  const sensor = await db.sensor.create({ data: { tenantId, name: "dc01", kind: "dc", keyHash, keyPrefix, version: "0.1.0" } });
  const alert = await db.alert.create({ data: alertData(tenantId) });
  const evidence = await db.alertEvidence.create({
    data: { tenantId, alertId: alert.id, eventId: "evt-1", time: new Date(), summary: { eventId: 4769, ticketEncryption: "0x17" } },
  });
  const comment = await db.alertComment.create({
    data: { tenantId, alertId: alert.id, author: "analyst@example.com", text: "Looking into it" },
  });
  const tag = await db.entityTag.create({ data: { tenantId, entityKey: "user:S-1-5-21-1-2-3-500", tag: "sensitive", createdBy: "admin" } });
  const credential = await db.directoryServiceCredential.create({
    data: { tenantId, name: "corp", username: "svc-vigil", domainName: "corp.example.com", secretJwe: "eyJhbGciOiJkaXIi.fake.jwe" },
  });
  const issue = await db.healthIssue.create({
    data: {
      tenantId,
      sensorId: sensor.id,
      type: "sensor.stopped",
      severity: "medium",
      description: "No events for 10 minutes",
      firstSeen: new Date(),
      lastSeen: new Date(),
    },
  });
  const audit = await db.auditEntry.create({
    data: { tenantId, actor: "admin", action: "sensor.create", target: sensor.id, after: { name: "dc01" } },
  });
  const siem = await db.siemTarget.create({ data: { tenantId, host: "siem.example.com", port: 6514, protocol: "tls", format: "rfc5424" } });
  const assessment = await db.postureAssessment.create({
    data: {
      tenantId,
      assessmentId: "dcsync-permissions",
      title: "Non-DC accounts with replication rights",
      category: "privileged-accounts",
      severity: "high",
      status: "failed",
      affected: [{ objectId: "S-1-5-21-1-2-3-1104", name: "svc-sql", reason: "DS-Replication-Get-Changes-All" }],
      remediation: "Remove the replication rights",
      evaluatedAt: new Date(),
      statusSince: new Date(),
    },
  });
  const score = await db.postureScore.create({
    data: { tenantId, score: 40, categories: { "privileged-accounts": 40 }, complete: true, unknown: [], evaluatedAt: new Date() },
  });
  // Not a scoped-client delegate (no `id` column for the generic walks): reached through a tenant transaction.
  await db.transaction((tx) =>
    tx.pendingPersonalDataDeletion.create({ data: { tenantId, sid: "S-1-5-21-1-2-3-1107", names: ["mallory", "CORP\\mallory"] } }),
  );
  return {
    tenantId,
    sensorId: sensor.id,
    alertId: alert.id,
    evidenceId: evidence.id,
    commentId: comment.id,
    tagId: tag.id,
    credentialId: credential.id,
    healthIssueId: issue.id,
    auditId: audit.id,
    siemTargetId: siem.id,
    postureAssessmentId: assessment.id,
    postureScoreId: score.id,
  };
}

/** Row counts of every tenant model as seen through `db`. */
export async function countAll(db: Record<TenantModelName, { count(): PromiseLike<number> }>) {
  return {
    sensor: await db.sensor.count(),
    alert: await db.alert.count(),
    alertEvidence: await db.alertEvidence.count(),
    alertComment: await db.alertComment.count(),
    entityTag: await db.entityTag.count(),
    directoryServiceCredential: await db.directoryServiceCredential.count(),
    healthIssue: await db.healthIssue.count(),
    auditEntry: await db.auditEntry.count(),
    siemTarget: await db.siemTarget.count(),
    postureAssessment: await db.postureAssessment.count(),
    postureScore: await db.postureScore.count(),
  };
}

/** `countAll` result when exactly one row of each model is visible. */
export const ONE_OF_EACH = {
  sensor: 1,
  alert: 1,
  alertEvidence: 1,
  alertComment: 1,
  entityTag: 1,
  directoryServiceCredential: 1,
  healthIssue: 1,
  auditEntry: 1,
  siemTarget: 1,
  postureAssessment: 1,
  postureScore: 1,
};
