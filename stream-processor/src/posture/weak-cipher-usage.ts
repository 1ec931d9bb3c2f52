/**
 * Weak cipher usage (MDI: "Weak cipher usage").
 *
 * Risk: Kerberos tickets encrypted with RC4-HMAC (keyed by the NT hash, crackable offline:
 * Kerberoasting, AS-REP roasting) or DES (broken outright) expose the account's key.
 *
 * Rule: any account with at least one RC4 (etype 23/24) or DES (etype 1/3) ticket in the traffic
 * window (30 days). Unknown without traffic covering the window.
 */
import { trafficFindings, type PostureAssessment } from "./assessment.ts";

export const weakCipherUsage: PostureAssessment = {
  id: "weak-cipher-usage",
  title: "Weak cipher usage",
  category: "kerberos",
  severity: "medium",
  source: "MDI: Weak cipher usage",
  remediation:
    "Set msDS-SupportedEncryptionTypes to AES only (0x18) on the accounts and services listed, reset their passwords so AES keys exist, and disable RC4/DES through the 'Network security: Configure encryption types allowed for Kerberos' policy once nothing needs them.",
  points: { base: 10, perEntity: 1, max: 20 },
  evaluate: (dir, traffic) =>
    trafficFindings(
      dir,
      traffic,
      (a) => (a.rc4Tickets ?? 0) + (a.desTickets ?? 0),
      (a) =>
        [a.rc4Tickets ? `${a.rc4Tickets} RC4 ticket(s)` : "", a.desTickets ? `${a.desTickets} DES ticket(s)` : ""]
          .filter(Boolean)
          .join(", ") + " in the last 30 days",
    ),
};
