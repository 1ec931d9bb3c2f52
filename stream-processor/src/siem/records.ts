/**
 * Alerts and health issues as CEF records in MDI's layout (mdi-catalog §8). Security alerts carry
 * start, suser, shost (src for a source known only by IP), msg, cnt, app, externalId, cs1 (url), cs2 (trigger new/update) and cs3
 * (source FQDN) like MDI's; Vigil adds cs4 (its detection id) and cs5 (alert id). Health issues use
 * the template MDI/ATA use for health alerts: externalId, cs1 (health page url) and msg.
 */
import type { AlertPayload } from "../sinks/alert-writer.ts";
import type { HealthIssuePayload } from "../health/monitor.ts";
import { healthIssueType } from "../health/issue-types.ts";
import { alertClassOf } from "./alert-classes.ts";
import { CEF_SEVERITY, cefTime, type CefRecord } from "./cef.ts";

/** Device fields of the CEF header and where the portal lives (for the alert / health links). */
export interface CefSource {
  vendor: string;
  product: string;
  version: string;
  /** Base URL of the portal, e.g. `https://vigil.example.com`; links are `<base>/alerts/<id>` and `<base>/health/<id>`. */
  portalUrl: string;
}

/** Vigil's header fields; the version is the processor's package version. */
export const DEFAULT_CEF_SOURCE: CefSource = {
  vendor: "Vigil",
  product: "Vigil ITDR",
  version: "0.1.0",
  portalUrl: "https://vigil.invalid",
};

/** Longest `msg=` sent; syslog receivers commonly cap messages at 8 KiB (rsyslog's default). */
const MAX_MSG = 4000;

interface EntityLike {
  role?: string;
  kind?: string;
  id?: string;
  name?: string;
}

const entitiesOf = (alert: AlertPayload): EntityLike[] =>
  Array.isArray(alert.entities) ? (alert.entities as unknown[]).filter((e): e is EntityLike => typeof e === "object" && e !== null) : [];

const clip = (s: string) => (s.length > MAX_MSG ? `${s.slice(0, MAX_MSG - 1)}…` : s);
const link = (base: string, path: string) => `${base.replace(/\/+$/, "")}/${path}`;

/** The CEF record of a new (`new`) or updated (`update`) alert. */
export function alertRecord(alert: AlertPayload, trigger: "new" | "update", source: CefSource = DEFAULT_CEF_SOURCE): CefRecord {
  const cls = alertClassOf(alert.detectionId);
  const entities = entitiesOf(alert);
  const user =
    entities.find((e) => e.kind === "user" && (e.role === "actor" || e.role === "target")) ?? entities.find((e) => e.kind === "user");
  // shost is where the activity came from (never the DC or a target computer); a source known only
  // by its address goes to CEF's src, because MDI's shost is always a computer name.
  const origin = entities.find((e) => e.role === "source" && (e.kind === "computer" || e.kind === "ip"));
  const host = origin?.kind === "computer" ? origin : entities.find((e) => e.kind === "computer" && e.role === "actor");
  const ip = origin?.kind === "ip" ? origin.id : undefined;
  const hostName = host?.name ?? host?.id;
  const fqdn = host?.id?.includes(".") ? host.id.toLowerCase() : undefined;
  return {
    vendor: source.vendor,
    product: source.product,
    version: source.version,
    classId: cls.className,
    name: alert.title,
    severity: CEF_SEVERITY[alert.severity],
    extensions: [
      ["start", cefTime(alert.firstSeen)],
      ["app", cls.app],
      ["shost", hostName ? hostName.split(".")[0]!.toUpperCase() : undefined],
      ["src", ip],
      ["suser", user?.name ?? user?.id],
      ["msg", clip(alert.description)],
      ["cnt", alert.count],
      ["externalId", cls.externalId],
      ["cs1Label", "url"],
      ["cs1", link(source.portalUrl, `alerts/${encodeURIComponent(alert.id)}`)],
      ["cs2Label", "trigger"],
      ["cs2", trigger],
      ["cs3Label", fqdn ? "shostfqdn" : undefined],
      ["cs3", fqdn],
      ["cs4Label", "detectionId"],
      ["cs4", alert.detectionId],
      ["cs5Label", "alertId"],
      ["cs5", alert.id],
    ],
  };
}

/** The CEF record of a health issue (sent when it is raised or reopened). */
export function healthRecord(issue: HealthIssuePayload, source: CefSource = DEFAULT_CEF_SOURCE): CefRecord {
  const type = healthIssueType(issue.type);
  return {
    vendor: source.vendor,
    product: source.product,
    version: source.version,
    classId: type?.className ?? "HealthMonitoringAlert",
    name: issue.title,
    severity: CEF_SEVERITY[issue.severity],
    extensions: [
      ["start", cefTime(issue.firstSeen)],
      ["msg", clip(issue.description)],
      ["externalId", type?.externalId ?? issue.type],
      ["cs1Label", "url"],
      ["cs1", link(source.portalUrl, `health/${encodeURIComponent(issue.id)}`)],
      ["cs4Label", "healthIssueType"],
      ["cs4", issue.type],
    ],
  };
}

/** The record `sendTestSiemNotification` sends: a low-severity health-style line any parser accepts. */
export function testRecord(tenantId: string, at: Date, source: CefSource = DEFAULT_CEF_SOURCE): CefRecord {
  return {
    vendor: source.vendor,
    product: source.product,
    version: source.version,
    classId: "TestSiemNotification",
    name: "Test SIEM notification",
    severity: CEF_SEVERITY.low,
    extensions: [
      ["start", cefTime(at)],
      ["msg", `Test notification for tenant ${tenantId}: the syslog target is reachable and parses CEF.`],
      ["externalId", "1000"],
      ["cs1Label", "url"],
      ["cs1", link(source.portalUrl, "health")],
    ],
  };
}
