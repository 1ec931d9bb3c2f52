import { isDcHost } from "../engine/context.ts";
import { HOUR, defineDetection } from "../engine/detection.ts";
import { normHost, normName } from "../engine/names.ts";
import { accountKey } from "./entities.ts";
import { actorText, changeCandidate, changedObject, isAttribute, whereText } from "./directory-helpers.ts";

const ID = "samaccountname-spoofing";
const TITLE = "Suspicious modification of a sAMAccountName attribute (noPac)";

/**
 * noPac (MDI 2419; CVE-2021-42278 / CVE-2021-42287; T1068, T1078.002, T1558). Any user may create
 * computers (MachineAccountQuota) and rename them. The attacker renames a computer to a DC's name
 * without the trailing `$`, gets a TGT for that name, renames the computer back, then asks for a
 * service ticket with S4U2self: the KDC no longer finds the name, retries with `$` appended and issues
 * a ticket as the DC itself — domain admin from any account.
 *
 * Signal: a computer's new `sAMAccountName` that has no `$` and equals a known DC's host name (first
 * DNS label): `directory.change` of sAMAccountName on a computer (4742 or 5136) or an
 * `account.lifecycle` rename (4781) of a computer account. DCs are known from ctx (KDC / directory
 * events they record, LDAP sync, admin), and the DC recording the event is one. No threshold: a
 * single rename is the attack; 4742 and 4781 of one rename aggregate on the renamed account.
 *
 * Known benign causes and how they are handled:
 * - ordinary computer renames keep the `$` (Windows sets sAMAccountName to `NAME$`): ignored.
 * - a rename to a non-DC name without `$` (noPac's rename back, sloppy provisioning) is not the
 *   attack: ignored.
 * - users renamed like a DC host are not computers and cannot get the KDC fallback: ignored.
 * - failed attempts (patched DCs refuse the rename) still alert: the attempt is the signal.
 */
export const samaccountnameSpoofing = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1068", "T1078.002", "T1558"],
  sources: ["E"],
  kinds: ["directory.change", "account.lifecycle"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "A computer account was renamed to a domain controller's name without the trailing $ (noPac).",
  recommendedActions: [
    "Delete or disable the renamed computer account and reset the password of the account that created or renamed it.",
    "Check for Kerberos tickets issued to the DC name right after the rename (S4U2self) and treat the domain as compromised if any were.",
    "Install the November 2021 updates (KB5008380 / KB5008602) on every DC and set ms-DS-MachineAccountQuota to 0.",
  ],
  evaluate(event, _state, ctx) {
    let newName: string | undefined;
    if (event.kind === "account.lifecycle") {
      const wasComputer = event.accountType === "computer" || !!event.target?.name?.trim().endsWith("$");
      if (event.action !== "renamed" || !wasComputer) return [];
      newName = event.newName;
    } else {
      if (!isAttribute(event, "sAMAccountName") || event.operation === "delete" || !/computer/i.test(event.objectClass ?? "")) return [];
      newName = event.value;
    }
    const name = newName?.trim();
    if (!name || name.endsWith("$")) return [];
    const host = normHost(name);
    const recordingDc = normHost(event.dc);
    if (!host || !(isDcHost(ctx, name) || host === recordingDc)) return [];
    const object = event.kind === "directory.change" ? changedObject(event) : event.target;
    const primaryEntity = accountKey(object, "sid") ?? `account:${normName(name)}`;
    return [
      changeCandidate(ID, event, {
        severity: "high",
        title: TITLE,
        description: `${actorText(event.actor)} renamed the computer account ${object?.name ?? "(unknown)"} to "${name}", the name of domain controller ${host.toUpperCase()} without the trailing $${whereText(event)}. This is how noPac gets a Kerberos ticket issued as the DC.`,
        primaryEntity,
        object: { ...object, name: object?.name ?? name },
      }),
    ];
  },
});
