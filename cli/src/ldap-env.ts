import { readFile } from "node:fs/promises";
import { StartupError } from "./adapters.ts";
import type { VigilEnv } from "./env.ts";

/** How the directory-service credential of the env (VIGIL_LDAP_*) connects; callers check the required ones first. */
export interface LdapConnection {
  url: string;
  bindDn: string;
  password: string;
  baseDn?: string;
  tls?: { ca: Buffer };
}

/** The LDAP connection of `vigil ldap-sync` and `vigil import gpo`, with the CA file read (an unreadable one stops start-up). */
export async function ldapConnectionFromEnv(env: VigilEnv): Promise<LdapConnection> {
  let ca: Buffer | undefined;
  if (env.VIGIL_LDAP_CA_FILE) {
    ca = await readFile(env.VIGIL_LDAP_CA_FILE).catch((error: NodeJS.ErrnoException) => {
      throw new StartupError([`VIGIL_LDAP_CA_FILE: cannot read ${env.VIGIL_LDAP_CA_FILE} (${error.code ?? error.message})`]);
    });
  }
  return {
    url: env.VIGIL_LDAP_URL!,
    bindDn: env.VIGIL_LDAP_BIND_DN!,
    password: env.VIGIL_LDAP_PASSWORD!,
    ...(env.VIGIL_LDAP_BASE_DN ? { baseDn: env.VIGIL_LDAP_BASE_DN } : {}),
    ...(ca ? { tls: { ca } } : {}),
  };
}
