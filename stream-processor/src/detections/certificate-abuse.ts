import type { VigilEvent } from "@vigil/sensor/contract";
import { isDcEndpoint, isDcHost } from "../engine/context.ts";
import { HOUR, defineDetection, type AlertCandidate, type Severity } from "../engine/detection.ts";
import { normHost, normName } from "../engine/names.ts";
import { accountEntity, accountKey, hostEntity, label, present, sourceOf } from "./entities.ts";
import { computerHost, isDcComputer } from "./dominance-helpers.ts";

const ID = "certificate-abuse";
const TITLE = "Suspicious Active Directory Certificate Services activity";
// Templates whose certificates let the holder authenticate as a domain controller.
const DC_TEMPLATES = new Set(["domaincontroller", "domaincontrollerauthentication", "kerberosauthentication", "directoryemailreplication"]);
// Template attributes that decide who may enroll and what the certificate proves (ESC4 edits these).
const TEMPLATE_ATTRIBUTES = new Set([
  "ntsecuritydescriptor",
  "mspki-certificate-name-flag",
  "mspki-enrollment-flag",
  "mspki-ra-signature",
  "pkiextendedkeyusage",
  "mspki-certificate-application-policy",
]);
// CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT: the requester names the subject (ESC1).
const ENROLLEE_SUPPLIES_SUBJECT = 0x1;
// CA-side objects whose ACL gates issuance (ESC5/ESC7 territory).
const CA_CLASSES = new Set(["pkienrollmentservice", "certificationauthority"]);

/**
 * AD CS abuse (MDI 2432, 2435, 2421; with 2433/2434 pending events, see below; T1649, T1068).
 * Certificates are credentials: one issued for a DC or for another user authenticates as them
 * over PKINIT for the certificate's lifetime, survives password resets and is rarely revoked.
 *
 * Signal (no learning; one event is enough):
 * - ESC8 (high): `certificate.request` for a DC template (DomainController, DomainController-
 *   Authentication, KerberosAuthentication, DirectoryEmailReplication) whose requester is not a DC
 *   account, or is a DC account but the request came from another machine (NTLM relay of the DC's
 *   authentication to web enrollment). The second form needs the request's client, which 4886/4887
 *   carry only in `Attributes` as `ccm:` — not mapped yet (see report); the wire and future mapping fill `src`.
 * - ESC1 use (high): a request whose SAN names another account (`upn=` differs from the requester).
 * - Certifried, CVE-2022-26923 (high): `dNSHostName` (4742 / 5136) of a computer set to a known
 *   DC's name.
 * - template or CA permission changes (medium; high when a template starts letting the enrollee
 *   supply the subject): 5136 on `pKICertificateTemplate` security descriptor, name / enrollment
 *   flags, EKUs, RA signatures, or on `pKIEnrollmentService` / `certificationAuthority` ACLs.
 *
 * Known benign causes and how they are handled:
 * - DCs auto-enroll DC templates with their own machine account: the requester is a DC account
 *   (known from ctx, or the requester `NAME$` is the recording host).
 * - web server / SCEP templates that take a SAN: only `upn=` SANs naming someone else count; DNS
 *   SANs do not. Enrollment agents requesting on behalf of others: exclude the agent account.
 * - a DC renaming itself, or a new DC's object: `dNSHostName` equal to its own name is quiet.
 * - PKI administrators editing templates: medium; exclude the PKI admin accounts for this detection.
 * Limits: 4882 (CA permissions), 4885 (audit filter), 4890 and 4896 (rows deleted) are not mapped to
 * any kind, so the audit-filter-disabled and database-deletion parts (2433, 2434) wait on the contract.
 */
export const certificateAbuse = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1649", "T1068"],
  sources: ["E"],
  kinds: ["certificate.request", "directory.change"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description:
    "AD CS abuse: a DC certificate for a non-DC, a certificate naming another account, DC-name spoofing, or template / CA permission changes.",
  recommendedActions: [
    "Revoke the certificate named in the alert on the CA and check whether it was used for PKINIT (4768 with certificate pre-auth).",
    "Find the requester's machine and isolate it; reset the accounts the certificate could impersonate.",
    "Review the template's enrollment rights and flags; remove ENROLLEE_SUPPLIES_SUBJECT and web enrollment NTLM (enable EPA, disable HTTP) where not needed.",
  ],
  evaluate(event, _state, ctx) {
    if (event.kind === "certificate.request") {
      if (event.disposition === "denied") return [];
      const requester = label(event.actor);
      const template = event.template ?? "";
      if (DC_TEMPLATES.has(template.toLowerCase())) {
        const dcRequester = isDcComputer(ctx, event.actor);
        const src = event.src;
        const relayed =
          dcRequester && !!(src?.ip || src?.host) && !isDcEndpoint(ctx, src) && normHost(src?.host) !== computerHost(event.actor);
        if (dcRequester && !relayed) return [];
        const why = relayed
          ? `from ${sourceOf(event)?.entity.id ?? "another machine"}, which is not that DC: its authentication was relayed to the CA (ESC8)`
          : "but the requester is not a domain controller";
        return [candidate(event, "high", `${requester} requested a ${template} certificate on ${caOf(event)} ${why}.`)];
      }
      const upns = [...(event.subjectAltName ?? "").matchAll(/upn=([^&,\s]+)/gi)].map((m) => m[1]!);
      const other = upns.find((u) => normName(u) !== normName(event.actor?.name));
      if (!other || !event.actor?.name) return [];
      return [
        candidate(
          event,
          "high",
          `${requester} requested a certificate${template ? ` (${template})` : ""} on ${caOf(event)} naming ${other} in its subject alternative name: it authenticates as ${other} (ESC1).`,
        ),
      ];
    }
    const attribute = event.attribute.toLowerCase();
    const cls = event.objectClass?.toLowerCase();
    if (attribute === "dnshostname") {
      if (event.operation === "delete" || !event.value) return [];
      const claimed = normHost(event.value);
      const own = computerHost(event.target);
      if (!claimed || claimed === own || !isDcHost(ctx, claimed) || isDcComputer(ctx, event.target, event.dc)) return [];
      return [
        candidate(
          event,
          "high",
          `${label(event.actor)} set the dNSHostName of ${label(event.target)} to ${event.value}, a domain controller's name: a certificate requested for it would authenticate as the DC (Certifried, CVE-2022-26923).`,
        ),
      ];
    }
    const template = cls === "pkicertificatetemplate";
    if (!(template && TEMPLATE_ATTRIBUTES.has(attribute)) && !(cls && CA_CLASSES.has(cls) && attribute === "ntsecuritydescriptor"))
      return [];
    if (event.operation === "delete" || isDcComputer(ctx, event.actor, event.dc)) return [];
    const flags = Number(event.value);
    const esc1 = attribute === "mspki-certificate-name-flag" && Number.isInteger(flags) && (flags & ENROLLEE_SUPPLIES_SUBJECT) !== 0;
    const object = event.objectDn ?? label(event.target);
    const what = esc1 ? "to let enrollees supply the subject (ESC1)" : `(${event.attribute})`;
    return [
      candidate(
        event,
        esc1 ? "high" : "medium",
        `${label(event.actor)} changed the ${template ? "certificate template" : "CA object"} ${object} ${what}.`,
        `object:${object.toLowerCase()}`,
      ),
    ];
  },
});

function caOf(event: VigilEvent): string {
  return event.target?.host ?? event.dc ?? "the CA";
}

function candidate(event: VigilEvent, severity: Severity, description: string, fallbackKey?: string): AlertCandidate {
  const source = sourceOf(event);
  return {
    detectionId: ID,
    severity,
    title: TITLE,
    description,
    primaryEntity: accountKey(event.actor, "sid") ?? fallbackKey ?? source?.key ?? `host:${caOf(event).toLowerCase()}`,
    entities: present(
      accountEntity("actor", event.actor),
      event.kind === "certificate.request" ? hostEntity("target", event.target?.host) : accountEntity("target", event.target),
      source?.entity,
      hostEntity("dc", event.dc),
    ),
    evidenceEventIds: [event.id],
    time: event.time,
  };
}
