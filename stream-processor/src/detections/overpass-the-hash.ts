import { isEntityExcluded } from "../engine/context.ts";
import { DAY, HOUR, defineDetection, type Severity } from "../engine/detection.ts";
import { accountEntity, accountKey, label, present, sourceOf } from "./entities.ts";

const ID = "overpass-the-hash";
const TITLE = "Suspected overpass-the-hash attack (Kerberos)";
// RC4-HMAC and its export variant: the etypes whose key is the account's NT hash.
const RC4 = new Set([0x17, 0x18]);
const AES = new Set([0x11, 0x12]);
/** RC4 TGTs of an account, with no AES TGT, after which RC4 is that account's normal (no AES keys). */
export const LEGACY_RC4_COUNT = 3;
/** RC4 TGTs across the tenant, with no AES TGT at all, after which the domain is taken as RC4-only. */
export const RC4_DOMAIN_COUNT = 20;
const MEMORY_MS = 30 * DAY;
/** After an account is created, renamed or has its password set, RC4 TGTs are expected for this long. */
export const KEY_CHANGE_GRACE_MS = HOUR;

interface Profile {
  aes: number;
  rc4: number;
  [key: string]: number;
}

/**
 * Overpass-the-hash (MDI 2002 / 2008; T1550.002). With an account's NT hash (no password), Rubeus
 * `asktgt /rc4` or mimikatz `sekurlsa::pth` asks the KDC for a TGT using RC4-HMAC, the only etype whose
 * key is the NT hash. Windows clients since Vista offer AES first, so a TGT issued with RC4 for an
 * account that has AES keys means the client offered RC4 only: a tool, not Windows.
 *
 * Signal: a successful `kerberos.as` (4768 Status 0, or an AS exchange on the wire) whose ticket etype
 * is RC4 (0x17/0x18), or whose client offered only RC4 (`requestedEtypes`, wire). No count threshold:
 * one TGT is the technique. Severity is high when the account is known to use AES (its earlier TGTs,
 * the baseline) or the wire shows an RC4-only offer; medium when nothing is known about the account
 * yet, and the alert says so (beyond MDI: no silent learning period).
 *
 * Known benign causes and how they are handled:
 * - Accounts without AES keys (password unchanged since the domain reached 2008 functional level,
 *   `msDS-SupportedEncryptionTypes` limited to RC4): every TGT they get is RC4. After
 *   LEGACY_RC4_COUNT RC4 TGTs with no AES one, RC4 is that account's normal and stays quiet; an AES
 *   TGT resets it. Such accounts alert once or twice while learned: expected, and worth fixing.
 * - A wire AS-REQ that offered AES but got RC4 is the KDC's choice (account has no AES keys): quiet.
 * - Domains that still run RC4 everywhere: after RC4_DOMAIN_COUNT RC4 TGTs in the tenant and not one
 *   AES TGT, RC4 is the domain's normal and only accounts known to have used AES alert.
 * - An account created, renamed or given a password moments ago (`account.lifecycle`): its AES keys
 *   are salted with the name it had when the password was set, so after a rename only RC4 works,
 *   and keys set through SAM-R may lack AES. Quiet for KEY_CHANGE_GRACE_MS (noPac renames a computer
 *   and then asks an RC4 TGT for it: that attack is `samaccountname-spoofing`'s).
 * - Non-Windows clients (old Java, appliances) configured for RC4: learned as above, or excluded for
 *   this detection by account or source in ctx exclusions.
 */
export const overpassTheHash = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1550.002", "T1558"],
  sources: ["E", "N"],
  kinds: ["kerberos.as", "account.lifecycle"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description:
    "A Kerberos TGT was obtained with RC4 (the NT hash as key) for an account that normally uses AES, the footprint of overpass-the-hash.",
  recommendedActions: [
    "Find the process on the source computer that requested the TGT (Rubeus, mimikatz); isolate the computer.",
    "Reset the account's password twice (its NT hash is in the attacker's hands) and review what it accessed after the TGT.",
    "Where possible, disable RC4 for the account (msDS-SupportedEncryptionTypes) so its hash cannot buy tickets.",
  ],
  evaluate(event, state, ctx) {
    if (event.kind === "account.lifecycle") {
      if (event.success === false || !["created", "renamed", "password-reset"].includes(event.action)) return [];
      for (const p of [event.target, event.newName ? { name: event.newName } : undefined]) {
        for (const k of [accountKey(p, "sid"), accountKey(p, "name")]) if (k) state.set("changed:", k, 1, KEY_CHANGE_GRACE_MS);
      }
      return [];
    }
    if (event.result !== 0) return [];
    const key = accountKey(event.actor, "name");
    if (!key) return [];
    const offered = event.requestedEtypes ?? [];
    const rc4OnlyOffer = offered.length > 0 && offered.every((e) => RC4.has(e));
    const aesOffered = offered.some((e) => AES.has(e));
    const profile = state.get<Profile>("p:", key) ?? { aes: 0, rc4: 0 };
    const tenantAes = state.get<number>("tenant:", "aes") ?? 0;
    const tenantRc4 = state.get<number>("tenant:", "rc4") ?? 0;
    const rc4 = (event.etype !== undefined && RC4.has(event.etype)) || rc4OnlyOffer;
    if (!rc4) {
      if (event.etype !== undefined && AES.has(event.etype)) {
        state.set("p:", key, { aes: profile.aes + 1, rc4: 0 }, MEMORY_MS);
        state.set("tenant:", "aes", tenantAes + 1, MEMORY_MS);
      }
      return [];
    }
    state.set("p:", key, { aes: profile.aes, rc4: profile.rc4 + 1 }, MEMORY_MS);
    state.set("tenant:", "rc4", tenantRc4 + 1, MEMORY_MS);
    if (aesOffered) return [];
    const keyChanged = [accountKey(event.actor, "sid"), key].some((k) => k && state.get<number>("changed:", k) !== undefined);
    if (keyChanged) return [];
    const usesAes = profile.aes > 0;
    if (!usesAes && !rc4OnlyOffer) {
      if (profile.rc4 >= LEGACY_RC4_COUNT) return [];
      if (tenantAes === 0 && tenantRc4 >= RC4_DOMAIN_COUNT) return [];
    }
    const actor = accountEntity("actor", event.actor);
    const source = sourceOf(event);
    if (isEntityExcluded(ctx, ID, actor) || isEntityExcluded(ctx, ID, source?.entity)) return [];
    const severity: Severity = usesAes || rc4OnlyOffer ? "high" : "medium";
    const baseline = usesAes
      ? `The account received ${profile.aes} AES TGT(s) before in the baseline.`
      : rc4OnlyOffer
        ? "The client offered RC4 only, which Windows never does."
        : `Nothing is known yet about this account's usual encryption (baseline: ${tenantAes} AES TGT(s) seen in the domain); if it has no AES keys this repeats and is then learned.`;
    return [
      {
        detectionId: ID,
        severity,
        title: TITLE,
        description: `${label(event.actor)}${source ? ` on ${source.entity.id}` : ""} obtained a Kerberos TGT from ${event.dc ?? "a domain controller"} encrypted with RC4, whose key is the account's NT hash: tools such as Rubeus asktgt /rc4 do this to turn a stolen hash into tickets. ${baseline}`,
        primaryEntity: key,
        entities: present(actor, source?.entity),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});
