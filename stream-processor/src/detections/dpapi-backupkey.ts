import { isEntityExcluded } from "../engine/context.ts";
import { HOUR, MINUTE, defineDetection } from "../engine/detection.ts";
import { normIp } from "../engine/names.ts";
import { accountEntity, accountKey, hostEntity, label, present, sourceOf } from "./entities.ts";
import { isDcOrSelf, recordingHost } from "./lateral-helpers.ts";

const ID = "dpapi-backupkey";
const TITLE = "Malicious request of Data Protection API master key";
// LSA secrets that hold the domain DPAPI backup keys: G$BCKUPKEY_PREFERRED / _P name the current
// keys, G$BCKUPKEY_<guid> hold them.
const BACKUP_KEY_SECRET = /(^|\\)G\$BCKUPKEY_/i;
/** How long an LSARPC pipe open by an account is remembered as the source of its secret reads. */
const PIPE_MEMORY_MS = 5 * MINUTE;

/**
 * DPAPI domain backup key theft (MDI 2020; T1555.004, T1552.004). The DCs keep an RSA key that can
 * decrypt every domain user's DPAPI master keys (saved browser / RDP / Wi-Fi / vault secrets, forever:
 * the key never rotates). mimikatz `lsadump::backupkeys` and SharpDPAPI `backupkey` pull it with
 * LsarOpenSecret / LsarRetrievePrivateData on the `G$BCKUPKEY_*` secrets, which needs Domain Admin.
 *
 * Signal: a `directory.access` (4662, object server LSA, object type SecretObject) on a
 * `Policy\Secrets\G$BCKUPKEY_*` object by any principal that is not a DC machine account or the DC's
 * own LocalSystem / service identity; on the wire, LsarOpenSecret / LsarRetrievePrivateData naming the
 * secret (same kind, when a network mapper emits it). No threshold: one read is the theft. The source
 * IP is the LSARPC pipe open (`share.access` 5145 IPC$\lsarpc) by the same account just before, when
 * present.
 *
 * Known benign causes and how they are handled:
 * - Legitimate DPAPI backup and recovery: clients call MS-BKRP over `\pipe\protected_storage` and
 *   the DC's LSA reads the secret as LocalSystem, never as the client: skipped as host identity. For
 *   this reason 5145 `protected_storage` alone is not an alert (every domain computer uses it).
 * - DC-to-DC replication of the secret runs as the DCs' machine accounts: skipped (ctx).
 * - A deliberate key export by an admin (documented DPAPI recovery) is rare and worth an alert; exclude
 *   the account for this detection in ctx if it is a planned procedure.
 */
export const dpapiBackupkey = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1555.004", "T1552.004"],
  sources: ["E", "N"],
  kinds: ["directory.access", "share.access"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "The domain DPAPI backup key was read from a domain controller's LSA secrets by an account that is not a DC.",
  recommendedActions: [
    "Treat every DPAPI-protected secret of every domain user as exposed (saved credentials, browser secrets, certificates' private keys).",
    "Isolate the source computer and reset the account that read the key; it holds Domain Admin rights.",
    "The backup key cannot be rotated in place: follow Microsoft's guidance to create a new preferred key and re-protect user master keys.",
  ],
  evaluate(event, state, ctx) {
    if (event.kind === "share.access") {
      const ip = normIp(event.src?.ip);
      const key = accountKey(event.actor, "sid");
      if (ip && key && event.relativeTarget?.toLowerCase() === "lsarpc") state.set("pipe:", key, ip, PIPE_MEMORY_MS);
      return [];
    }
    const object = event.objectDn ?? event.target?.name ?? "";
    if (!BACKUP_KEY_SECRET.test(object)) return [];
    if (isDcOrSelf(ctx, event.actor)) return [];
    const actor = accountEntity("actor", event.actor);
    if (isEntityExcluded(ctx, ID, actor)) return [];
    const key = accountKey(event.actor, "sid");
    const pipeIp = key ? state.get<string>("pipe:", key) : undefined;
    const source = sourceOf(event)?.entity ?? (pipeIp ? { role: "source" as const, kind: "ip" as const, id: pipeIp } : undefined);
    const dc = recordingHost(event);
    const secret = object.split("\\").pop() ?? object;
    return [
      {
        detectionId: ID,
        severity: "high",
        title: TITLE,
        description: `${label(event.actor)}${source ? ` from ${source.id}` : ""} read the LSA secret ${secret} on ${dc ?? "a domain controller"}: this is the domain DPAPI backup key, which decrypts every user's DPAPI master keys (mimikatz lsadump::backupkeys).`,
        primaryEntity: key ?? `host:${source?.id ?? "unknown"}`,
        entities: present(actor, source, hostEntity("target", dc)),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});
