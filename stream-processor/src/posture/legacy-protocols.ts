/**
 * Legacy protocols usage (MDI: "Legacy protocols usage").
 *
 * Risk: NTLMv1 responses are cracked to the NT hash in hours (DES with a known challenge), and can
 * be relayed; an account seen using it has a recoverable hash on the wire.
 *
 * Rule: any account with at least one NTLMv1 authentication (ntlm version v1, or a logon whose
 * LmPackageName is NTLM V1) in the traffic window (30 days). Unknown without traffic covering it.
 */
import { trafficFindings, type PostureAssessment } from "./assessment.ts";

export const legacyProtocols: PostureAssessment = {
  id: "legacy-protocols",
  title: "Legacy protocols usage",
  category: "anomalies",
  severity: "medium",
  source: "MDI: Legacy protocols usage",
  remediation:
    "Set 'Network security: LAN Manager authentication level' to 'Send NTLMv2 response only. Refuse LM & NTLM' on DCs and clients after updating the clients that still send NTLMv1.",
  points: { base: 10, perEntity: 1, max: 20 },
  evaluate: (dir, traffic) =>
    trafficFindings(
      dir,
      traffic,
      (a) => a.ntlmV1 ?? 0,
      (_a, n) => `${n} NTLMv1 authentication(s) in the last 30 days`,
    ),
};
