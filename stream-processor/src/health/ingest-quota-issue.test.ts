import { describe, expect, it } from "vitest";
import { HEALTH_ISSUE_TYPES, healthIssueType } from "./issue-types.ts";
import { emptyObservations } from "./observations.ts";
import { evaluateHealth } from "./rules.ts";
import { observeIngestQuota } from "./ingest-quota-issue.ts";

const T0 = Date.parse("2026-11-25T00:00:00Z");
const MIN = 60_000;
const quota = { ratePerSecond: 50, burst: 100 };
const types = (keys: { type: string }[]) => keys.map((k) => k.type);
const judge = (obs: ReturnType<typeof emptyObservations>, now: number) =>
  evaluateHealth({ now, observations: obs, sensors: [], knownDcs: [], credentials: [] });

describe("ingest-quota-exceeded health issue", () => {
  it("is registered with a stable type, tenant scope and its own CEF id", () => {
    expect(healthIssueType("ingest-quota-exceeded")).toBe(HEALTH_ISSUE_TYPES.ingestQuotaExceeded);
    expect(HEALTH_ISSUE_TYPES.ingestQuotaExceeded).toMatchObject({ scope: "tenant", externalId: "1025" });
    const ids = Object.values(HEALTH_ISSUE_TYPES).map((t) => t.externalId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("judges nothing before the processor reported a reading (a restarted processor closes nothing)", () => {
    const d = judge(emptyObservations(T0), T0);
    expect(types(d.raise)).not.toContain("ingest-quota-exceeded");
    expect(types(d.clear)).not.toContain("ingest-quota-exceeded");
  });

  it("is raised by a reading over the quota, describes the peak, and clears 30 minutes after the last such reading", () => {
    const obs = emptyObservations(T0);
    obs.ingestQuota = observeIngestQuota(obs.ingestQuota, { ratePerSecond: 20, quota, exceeded: false }, T0);
    expect(types(judge(obs, T0).clear)).toContain("ingest-quota-exceeded");
    obs.ingestQuota = observeIngestQuota(obs.ingestQuota, { ratePerSecond: 480.25, quota, exceeded: true }, T0 + MIN);
    obs.ingestQuota = observeIngestQuota(obs.ingestQuota, { ratePerSecond: 30, quota, exceeded: false }, T0 + 2 * MIN);
    const raised = judge(obs, T0 + 2 * MIN).raise.find((f) => f.type === "ingest-quota-exceeded");
    expect(raised).toMatchObject({
      sensorId: null,
      subject: "",
      details: { peakRatePerSecond: 480.3, quotaRatePerSecond: 50, quotaBurst: 100 },
    });
    expect(raised?.description).toContain("up to 480.3 per second, above its ingest quota of 50 per second (burst 100)");
    expect(types(judge(obs, T0 + 31 * MIN).raise)).toContain("ingest-quota-exceeded");
    expect(types(judge(obs, T0 + 32 * MIN).clear)).toContain("ingest-quota-exceeded");
  });
});
