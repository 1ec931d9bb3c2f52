/**
 * Entities exposing credentials in clear text (MDI: "Entities exposing credentials in clear text").
 *
 * Risk: an LDAP simple bind without TLS sends the account's password in clear over the network;
 * anyone on the path (or a relay) reads it.
 *
 * Rule: any account with at least one LDAP simple bind in the traffic window (30 days, MDI's report
 * window). The sensor emits `ldap.bind` with bindType "simple" only for binds it saw in clear
 * (LDAPS and StartTLS payloads are not readable), so every counted bind exposed a password.
 * Unknown without traffic covering the window (see trafficFindings).
 */
import { trafficFindings, type PostureAssessment } from "./assessment.ts";

export const clearTextCredentials: PostureAssessment = {
  id: "clear-text-credentials",
  title: "Entities exposing credentials in clear text",
  category: "anomalies",
  severity: "high",
  source: "MDI: Entities exposing credentials in clear text",
  remediation:
    "Move the applications to LDAPS (636) or StartTLS, or to SASL binds with signing; require LDAP signing and channel binding on DCs; rotate the exposed passwords.",
  points: { base: 15, perEntity: 2, max: 30 },
  evaluate: (dir, traffic) =>
    trafficFindings(
      dir,
      traffic,
      (a) => a.ldapSimpleBinds ?? 0,
      (_a, n) => `${n} clear-text LDAP simple bind(s) in the last 30 days`,
    ),
};
