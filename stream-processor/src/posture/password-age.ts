// Shared by the old-password assessments: finds the well-known account by RID and ages its pwdLastSet.
import type { Findings } from "./assessment.ts";
import { ageMs, days, nameOf, ridOf, type Directory } from "./directory.ts";

/** Findings for the account with `rid`: affected when its password is older than `maxDays`. */
export function passwordAgeFindings(dir: Directory, rid: number, maxDays: number, what: string): Findings {
  const account = dir.users.find(
    (u) => ridOf(u) === rid && (!dir.domainSid || u.objectId.toUpperCase().startsWith(`${dir.domainSid.toUpperCase()}-`)),
  );
  if (!account) return { affected: [], missing: `the ${what} account was not synced` };
  const age = ageMs(account, "pwdLastSet", dir.now);
  // pwdLastSet 0 ("never") means "must change at next logon": the current password's age is unknown.
  if (age === undefined || age === Infinity) return { affected: [], missing: `the ${what} password age is not known` };
  if (age <= days(maxDays)) return { affected: [] };
  return {
    affected: [
      {
        objectId: account.objectId,
        name: nameOf(account),
        reason: `password last set ${Math.floor(age / days(1))} days ago (limit ${maxDays})`,
      },
    ],
  };
}
