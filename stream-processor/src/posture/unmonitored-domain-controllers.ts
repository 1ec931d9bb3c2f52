/**
 * Unmonitored domain controllers (MDI: "Unmonitored domain controllers").
 *
 * Risk: detections run on what sensors see; an attacker who works against a DC without a sensor
 * (DCSync, Golden Ticket use, LDAP recon) is invisible.
 *
 * Rule: every enabled DC in the snapshot (SERVER_TRUST_ACCOUNT or PARTIAL_SECRETS_ACCOUNT, or
 * primary group Domain Controllers / Read-only Domain Controllers) whose dNSHostName or name is not
 * among TrafficObservations.monitoredDcs (compared on the first DNS label, case-insensitive).
 * Unknown when monitoredDcs is absent (the sensor inventory was not given) or the snapshot has no DC.
 */
import { needsSync, type Findings, type PostureAssessment } from "./assessment.ts";
import { isDc, isEnabled, nameOf, str } from "./directory.ts";

const label = (h: string) => h.trim().toLowerCase().replace(/\$$/, "").split(".")[0]!;

export const unmonitoredDomainControllers: PostureAssessment = {
  id: "unmonitored-domain-controllers",
  title: "Unmonitored domain controllers",
  category: "anomalies",
  severity: "high",
  source: "MDI: Unmonitored domain controllers",
  remediation: "Install a Vigil sensor (or forward its events) on every listed domain controller.",
  points: { base: 20, perEntity: 10, max: 40 },
  evaluate(dir, traffic): Findings {
    const unsynced = needsSync(dir);
    if (unsynced) return unsynced;
    const dcs = dir.computers.filter((c) => isDc(c) && isEnabled(c) !== false);
    if (dcs.length === 0) return { affected: [], missing: "no domain controller in the snapshot" };
    if (!traffic?.monitoredDcs) return { affected: [], missing: "the sensor inventory was not given" };
    const monitored = new Set(traffic.monitoredDcs.map(label));
    const affected = dcs
      .filter((c) => !monitored.has(label(str(c, "dNSHostName") ?? nameOf(c))))
      .map((c) => ({ objectId: c.objectId, name: str(c, "dNSHostName") ?? nameOf(c), reason: "no sensor reports from this DC" }));
    return { affected };
  },
};
