/**
 * The Samba AD DC that `scripts/samba/dc.sh up` (part of `scripts/services.sh up`) runs in its own
 * network namespace, reachable from the host at 10.231.77.10. Tests (and only tests) read overrides
 * from the environment.
 */
import { join } from "node:path";

const repo = join(import.meta.dirname, "..");
const servicesDir = process.env.VIGIL_SERVICES_DIR ?? join(repo, ".vigil", "services");

export const testSamba = {
  url: process.env.VIGIL_TEST_SAMBA_URL ?? "ldap://10.231.77.10",
  ldapsUrl: process.env.VIGIL_TEST_SAMBA_LDAPS_URL ?? "ldaps://10.231.77.10",
  /** Name the DC's self-signed certificate carries (CN; it has no subjectAltName). */
  tlsServername: "DC1.vigil.lab",
  /** The CA Samba generated at provision time. */
  caFile: join(servicesDir, "samba", "dc", "private", "tls", "ca.pem"),
  bindDn: "Administrator@vigil.lab",
  password: process.env.VIGIL_TEST_SAMBA_PASSWORD ?? "Vigil-Adm1n!2026",
  baseDn: "DC=vigil,DC=lab",
  realm: "VIGIL.LAB",
} as const;
