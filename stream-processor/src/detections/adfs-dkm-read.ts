import { isEntityExcluded } from "../engine/context.ts";
import { HOUR, defineDetection } from "../engine/detection.ts";
import { accountEntity, accountKey, hostEntity, label, present, sourceOf } from "./entities.ts";
import { isDcOrSelf, recordingHost } from "./lateral-helpers.ts";

const ID = "adfs-dkm-read";
const TITLE = "Suspected AD FS DKM key read";
/** schemaIDGUID of `thumbnailPhoto`: where AD FS Distributed Key Manager keeps its master key. */
export const THUMBNAIL_PHOTO = "8d3bca50-1d7e-11d0-a081-00aa006c33ed";
/** schemaIDGUID of the `contact` class: the DKM key container objects are contacts. */
const CONTACT = "5cb41ed0-0e4c-11d0-a286-00aa003049e2";
// ADS_RIGHT_DS_READ_PROP in a 4662 access mask.
const READ_PROPERTY = 0x10;

/**
 * AD FS DKM key theft, the first step of Golden SAML (MDI 2413; T1552.004, T1606.002). AD FS encrypts
 * its token-signing and decryption certificates with a key kept in Active Directory: the
 * `thumbnailPhoto` attribute of a contact object under `CN=ADFS,CN=Microsoft,CN=Program Data,<domain>`.
 * Whoever reads it and the AD FS configuration database can decrypt the token-signing key and forge
 * SAML tokens for any federated user (AADInternals `Export-AADIntADFSCertificates`, ADFSDump).
 *
 * Signal: a `directory.access` (4662, needs the Read-all-properties SACL on the ADFS container that
 * MDI's setup asks for) on a `contact` object that lists `thumbnailPhoto` (`8d3bca50-…`) with read
 * property access (0x10, or no mask given), by a principal that is not a DC machine account or a
 * host's own identity. 4662 names objects only by GUID, so the object's place under the ADFS
 * container cannot be checked: reads of contact photos are not audited elsewhere unless an admin adds
 * such a SACL, which keeps the rule specific. No threshold: one read is the theft.
 *
 * Known benign causes and how they are handled:
 * - The AD FS service account (often a gMSA such as `svc_ADFS$`) reads the key at every service start.
 *   Nothing in the events marks it as AD FS: exclude it for this detection in ctx exclusions when
 *   AD FS is deployed (the alert text says so). MDI excludes it from its own AD FS sensor's knowledge.
 * - DCs replicating the container use their machine accounts: skipped.
 * - An AD FS farm node being added reads the key with the installing admin's account: a planned
 *   event; close the alert or exclude the account for the change window.
 */
export const adfsDkmRead = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1552.004", "T1606.002"],
  sources: ["E", "N"],
  kinds: ["directory.access"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description:
    "The AD FS Distributed Key Manager key (thumbnailPhoto of the DKM contact) was read by an account that is not the AD FS service.",
  recommendedActions: [
    "Confirm whether the account is the AD FS service account; if not, treat the AD FS token-signing certificate as stolen (Golden SAML).",
    "Rotate the AD FS token-signing and token-decryption certificates twice and review federated sign-ins since the read.",
    "Isolate the source computer and reset the account that read the key.",
  ],
  evaluate(event, _state, ctx) {
    const props = event.properties.map((p) =>
      p
        .trim()
        .toLowerCase()
        .replace(/^%?\{|\}$/g, ""),
    );
    if (!props.includes(THUMBNAIL_PHOTO)) return [];
    const cls = event.objectClass?.trim().toLowerCase();
    if (cls !== "contact" && cls !== CONTACT && !props.includes(CONTACT)) return [];
    const mask = event.accessMask ? Number.parseInt(event.accessMask, 16) : undefined;
    if (mask !== undefined && Number.isFinite(mask) && (mask & READ_PROPERTY) === 0) return [];
    if (isDcOrSelf(ctx, event.actor)) return [];
    const actor = accountEntity("actor", event.actor);
    const source = sourceOf(event);
    if (isEntityExcluded(ctx, ID, actor) || isEntityExcluded(ctx, ID, source?.entity)) return [];
    const dc = recordingHost(event);
    const object = event.objectDn ?? event.target?.name ?? "a contact object";
    return [
      {
        detectionId: ID,
        severity: "high",
        title: TITLE,
        description: `${label(event.actor)}${source ? ` from ${source.entity.id}` : ""} read thumbnailPhoto of contact ${object} on ${dc ?? "a domain controller"}: that attribute holds the AD FS DKM key, which decrypts the token-signing certificate (Golden SAML). If this is the AD FS service account, exclude it for this detection.`,
        primaryEntity: accountKey(event.actor, "sid") ?? source?.key ?? "account:unknown",
        entities: present(actor, source?.entity, hostEntity("target", dc)),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});
