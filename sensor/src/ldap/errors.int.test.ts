/** How the LDAP sync fails against the real Samba AD DC (and a dead address): coded, readable, no password. */
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSamba } from "../../../test-support/samba.ts";
import { createLdapSync, isLdapSyncError, type LdapSyncErrorCode, type LdapSyncOptions } from "./index.ts";

let dir: string;
let n = 0;
const options = (extra: Partial<LdapSyncOptions> = {}): LdapSyncOptions => ({
  url: testSamba.url,
  bindDn: testSamba.bindDn,
  password: testSamba.password,
  tenantId: "acme",
  sensorId: "ldap01",
  stateFile: join(dir, `s${++n}`, "state.json"),
  connectTimeoutMs: 3000,
  ...extra,
});

async function failure(o: LdapSyncOptions): Promise<{ code: LdapSyncErrorCode; message: string; snapshots: number }> {
  let snapshots = 0;
  try {
    await createLdapSync(o).sync({ onSnapshot: () => void snapshots++ });
  } catch (error) {
    if (!isLdapSyncError(error)) throw error;
    return { code: error.code, message: error.message, snapshots };
  }
  throw new Error("sync succeeded");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-ldap-err-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("LDAP sync errors", () => {
  it("says the credentials are wrong, without echoing the password, and writes no state", async () => {
    const o = options({ password: "Wrong-Password-123" });
    const f = await failure(o);
    expect(f.code).toBe("LDAP_BAD_CREDENTIALS");
    expect(f.message).toContain(testSamba.url);
    expect(f.message).not.toContain("Wrong-Password-123");
    expect(f.snapshots).toBe(0);
    await expect(readFile(o.stateFile)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("says the DC is unreachable when nothing listens", async () => {
    const f = await failure(options({ url: "ldap://127.0.0.1:1" }));
    expect(f.code).toBe("LDAP_UNREACHABLE");
    expect(f.message).toMatch(/ECONNREFUSED/);
  });

  it("says the DC is unreachable when the address does not answer at all", async () => {
    // Inside the DC's /24 but no host: ARP fails (EHOSTUNREACH) or the connect timeout fires.
    const f = await failure(options({ url: "ldap://10.231.77.99", connectTimeoutMs: 1500 }));
    expect(f.code).toBe("LDAP_UNREACHABLE");
  });

  it("refuses the DC's self-signed certificate unless its CA is given", async () => {
    const f = await failure(options({ url: testSamba.ldapsUrl }));
    expect(f.code).toBe("LDAP_TLS_FAILURE");
    expect(f.message).toMatch(/SELF_SIGNED|UNABLE_TO|CERT/);

    const ca = await readFile(testSamba.caFile);
    const wrongName = await failure(options({ url: testSamba.ldapsUrl, tls: { ca } }));
    expect(wrongName.code).toBe("LDAP_TLS_FAILURE");

    let snapshots = 0;
    const ok = await createLdapSync(options({ url: testSamba.ldapsUrl, tls: { ca, servername: testSamba.tlsServername } })).sync({
      onSnapshot: () => void snapshots++,
    });
    expect(ok.mode).toBe("full");
    expect(snapshots).toBe(ok.snapshots);
    expect(snapshots).toBeGreaterThan(20);
  });

  it("reports a base DN that does not exist as a failed search", async () => {
    const f = await failure(options({ baseDn: `OU=Nowhere,${testSamba.baseDn}` }));
    expect(f.code).toBe("LDAP_SEARCH_FAILED");
    expect(f.message).toMatch(/OU=Nowhere/);
    expect(f.message).toMatch(/32|no such object/i);
  });

  it("replaces an unreadable state file with a full sync and says why", async () => {
    const o = options();
    await mkdir(join(o.stateFile, ".."), { recursive: true });
    await writeFile(o.stateFile, "{ not json");
    const problems: string[] = [];
    const result = await createLdapSync(o).sync({ onSnapshot: () => undefined, onProblem: (p) => void problems.push(p.reason) });
    expect(result.mode).toBe("full");
    expect(problems).toEqual([expect.stringMatching(/is not JSON.*full sync/)]);
    expect(JSON.parse(await readFile(o.stateFile, "utf8"))).toMatchObject({ version: 1, highestUsn: result.toUsn });
  });

  it("refuses options that can never work before contacting anything", () => {
    expect(() => createLdapSync(options({ url: "http://dc" }))).toThrow(expect.objectContaining({ code: "LDAP_INVALID_OPTIONS" }));
    expect(() => createLdapSync(options({ pageSize: 0 }))).toThrow(/pageSize/);
    expect(() => createLdapSync(options({ password: "" }))).toThrow(/password/);
    expect(() => createLdapSync(options({ url: testSamba.ldapsUrl, startTls: true }))).toThrow(/startTls/);
  });
});
