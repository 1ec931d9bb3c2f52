import { isHoneytoken } from "../engine/context.ts";
import { DAY, defineDetection } from "../engine/detection.ts";
import { accountEntity, accountKey, hostEntity, label, present, sourceOf } from "./entities.ts";

const ID = "honeytoken-authentication";
const TITLE = "Honeytoken authentication activity";

/**
 * Honeytoken authentication (MDI 2014; T1078.002, T1087.002). A honeytoken is a decoy account or
 * computer nobody uses: its credentials are planted (in scripts, LSASS, descriptions, GPP) where
 * only an attacker harvesting credentials would find and try them.
 *
 * Signal: any authentication attempt — success or failure — whose actor ctx tags as a honeytoken:
 * `logon` (4624/4625), `ntlm` (4776/8004), `kerberos.as` (4768, AS-REQ), `kerberos.preauth-failure`
 * (4771), `kerberos.tgs` by the account (4769), `ldap.bind`. No threshold: by definition the account
 * has no legitimate use, so a single attempt is the alert. One alert per honeytoken per day, with the
 * sources that tried it.
 *
 * Known benign causes and how they are handled:
 * - an administrator testing the honeytoken, or a monitoring product validating credentials: exclude
 *   that source for this detection (ctx exclusions) rather than untagging the account.
 * - a honeytoken account that is also used for real (a mis-tagged account): untag it; nothing in the
 *   events can tell the two apart.
 * Tickets issued *for* a honeytoken service (the decoy as a 4769 target) are kerberoasting's concern,
 * not an authentication by it.
 */
export const honeytokenAuthentication = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1078.002", "T1087.002"],
  sources: ["E", "N"],
  kinds: ["logon", "ntlm", "kerberos.as", "kerberos.preauth-failure", "kerberos.tgs", "ldap.bind"],
  learningPeriodDays: 0,
  windowMs: DAY,
  description: "An account or computer tagged as a honeytoken tried to authenticate: its credentials are in an attacker's hands.",
  recommendedActions: [
    "Find the source computer and the process that used the honeytoken's credentials; treat the computer as compromised.",
    "Look for where the credentials were planted and who could read them, to learn how the attacker found them.",
    "Review what else authenticated from the source around the same time.",
  ],
  evaluate(event, _state, ctx) {
    if (!event.actor || !isHoneytoken(ctx, event.actor)) return [];
    const source = sourceOf(event);
    const failed = event.kind === "logon" ? !event.success : "result" in event && event.result !== undefined && event.result !== 0;
    const via = `${event.kind}${event.origin.eventId ? ` (${event.origin.eventId})` : ""}`;
    return [
      {
        detectionId: ID,
        severity: "high",
        title: TITLE,
        description: `Honeytoken ${label(event.actor)} ${failed ? "tried to authenticate" : "authenticated"} from ${source?.entity.id ?? "an unknown source"} via ${via}${event.dc ? ` against ${event.dc}` : ""}.`,
        primaryEntity: accountKey(event.actor, "name")!,
        entities: present(accountEntity("actor", event.actor), source?.entity, hostEntity("dc", event.dc ?? event.target?.host)),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});
