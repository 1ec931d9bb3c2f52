/**
 * Dormant entities in sensitive groups (MDI: "Dormant entities in sensitive groups").
 *
 * Risk: a privileged account nobody uses is nobody's to notice; its password is old and its
 * takeover goes unseen. Disabled or expired accounts left in sensitive groups regain full power the
 * moment anyone re-enables them.
 *
 * Rule: a user that is (transitively) sensitive and
 * - enabled with lastLogonTimestamp older than 180 days, or "never" when created more than 180 days ago;
 * - or disabled; or accountExpires in the past.
 * 180 days is MDI's documented threshold. lastLogonTimestamp replicates lazily (up to 14 days late),
 * far inside the window. AD leaves lastLogonTimestamp absent on an account that never logged on, and
 * LDAP sync always asks for it, so on an object the sync read (userAccountControl present) absence
 * means "never"; without userAccountControl the object's state is unknown and so is the result.
 */
import { needsSync, type Findings, type PostureAssessment } from "./assessment.ts";
import { ageMs, days, isEnabled, nameOf } from "./directory.ts";
import type { AffectedEntity } from "./model.ts";

/** Days without a logon after which a sensitive account is dormant. */
export const DORMANT_DAYS = 180;

export const dormantSensitiveEntities: PostureAssessment = {
  id: "dormant-sensitive-entities",
  title: "Dormant entities in sensitive groups",
  category: "stale-objects",
  severity: "medium",
  source: "MDI: Dormant entities in sensitive groups",
  remediation:
    "Remove dormant, disabled and expired accounts from sensitive groups (or delete them); keep privileged membership to accounts in active use.",
  points: { base: 10, perEntity: 2, max: 30 },
  evaluate(dir): Findings {
    const unsynced = needsSync(dir);
    if (unsynced) return unsynced;
    const affected: AffectedEntity[] = [];
    const missing: string[] = [];
    for (const u of dir.users) {
      if (!dir.sensitive.has(u.objectId)) continue;
      const flag = (reason: string) => affected.push({ objectId: u.objectId, name: nameOf(u), reason });
      const enabled = isEnabled(u);
      if (enabled === false) {
        flag("disabled account still in a sensitive group");
        continue;
      }
      const expired = ageMs(u, "accountExpires", dir.now);
      if (expired !== undefined && expired !== Infinity && expired > 0) {
        flag("expired account still in a sensitive group");
        continue;
      }
      const idle = ageMs(u, "lastLogonTimestamp", dir.now) ?? (u.attributes.lastLogonTimestamp === undefined ? Infinity : undefined);
      if (enabled === undefined || idle === undefined) {
        missing.push(nameOf(u));
        continue;
      }
      if (idle === Infinity) {
        const created = ageMs(u, "whenCreated", dir.now);
        if (created === undefined) missing.push(nameOf(u));
        else if (created > days(DORMANT_DAYS)) flag(`never logged on, created more than ${DORMANT_DAYS} days ago`);
      } else if (idle > days(DORMANT_DAYS)) flag(`no logon for ${Math.floor(idle / days(1))} days`);
    }
    return missing.length > 0 ? { affected, missing: `no logon data for ${missing.join(", ")}` } : { affected };
  },
};
