/**
 * Riskiest lateral movement paths (MDI: "Riskiest lateral movement paths (LMP)").
 *
 * Risk: a sensitive account whose credentials are cached on machines where ordinary accounts are
 * local admins can be harvested by any of those ordinary accounts (credential theft, pass-the-ticket).
 *
 * Rule: a sensitive account that at least 3 non-sensitive accounts can reach (MDI's documented
 * threshold: "three or more non-sensitive accounts can expose the sensitive account"). The count
 * comes from graph-model's LMP computation as TrafficObservations.lmpExposure, keyed by objectId,
 * SID or account name; without it the result is "unknown".
 */
import { needsSync, type Findings, type PostureAssessment } from "./assessment.ts";
import { nameOf, resolveAccount } from "./directory.ts";
import type { AffectedEntity } from "./model.ts";

/** Non-sensitive accounts able to reach a sensitive one before the path counts as risky. */
export const LMP_THRESHOLD = 3;

export const riskiestLateralMovementPaths: PostureAssessment = {
  id: "riskiest-lateral-movement-paths",
  title: "Riskiest lateral movement paths",
  category: "privileged-accounts",
  severity: "high",
  source: "MDI: Riskiest lateral movement paths (LMP)",
  remediation:
    "Stop sensitive accounts from logging on to workstations and member servers (tiering, Protected Users, 'Deny log on' rights), and remove ordinary users and groups from the local Administrators group of the machines on the path (LAPS for local admin passwords).",
  points: { base: 15, perEntity: 5, max: 30 },
  evaluate(dir, traffic): Findings {
    const unsynced = needsSync(dir);
    if (unsynced) return unsynced;
    const exposure = traffic?.lmpExposure;
    if (!exposure) return { affected: [], missing: "lateral movement exposure was not computed" };
    const affected: AffectedEntity[] = [];
    for (const [ref, count] of Object.entries(exposure)) {
      if (!(count >= LMP_THRESHOLD)) continue;
      const o = dir.snapshot.objects.get(ref) ?? resolveAccount(dir, ref);
      affected.push({
        objectId: o?.objectId ?? ref,
        name: o ? nameOf(o) : ref,
        reason: `${count} non-sensitive accounts can reach this account's credentials`,
      });
    }
    return { affected };
  },
};
