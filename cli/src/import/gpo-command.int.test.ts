/**
 * The `vigil import gpo` command through the real binary: argument and configuration errors, a
 * directory without Policies, and a run against the Samba DC's own sysvol into the embedded graph.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { testSamba } from "../../../test-support/samba.ts";
import { uniqueTenantId } from "../../../test-support/services.ts";

const bin = new URL("../../bin/vigil.js", import.meta.url).pathname;
const sysvol = join(dirname(dirname(dirname(testSamba.caFile))), "state", "sysvol");
const ldapEnv = { VIGIL_LDAP_URL: testSamba.url, VIGIL_LDAP_BIND_DN: testSamba.bindDn, VIGIL_LDAP_PASSWORD: testSamba.password };

function vigil(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? tmpdir(),
    VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), "vigil-gpo-cli-")),
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, "import", "gpo", ...args], { env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("vigil import gpo", () => {
  it("exits 2 without a tenant, 78 without the LDAP credential", async () => {
    const noTenant = await vigil([sysvol], ldapEnv);
    expect(noTenant.stderr).toContain("--tenant is required");
    expect(noTenant.code).toBe(2);
    const noLdap = await vigil(["--tenant", "t1", sysvol], {});
    expect(noLdap.stderr).toContain("VIGIL_LDAP_URL: required for vigil import gpo");
    expect(noLdap.code).toBe(78);
  }, 60_000);

  it("exits 1 for a directory without Policies, 0 with a JSON summary for the DC's sysvol", async () => {
    const empty = await vigil(["--tenant", uniqueTenantId("gpo-cli"), mkdtempSync(join(tmpdir(), "vigil-no-policies-"))], ldapEnv);
    expect(empty.stderr).toMatch(/cannot import: .*holds no GPO folders/);
    expect(empty.code).toBe(1);
    const tenantId = uniqueTenantId("gpo-cli");
    const ok = await vigil(["--tenant", tenantId, "--observed-at", "2026-11-26T00:00:00Z", sysvol], ldapEnv);
    expect(ok.code, ok.stderr).toBe(0);
    const summary = JSON.parse(ok.stdout) as { tenantId: string; observedAt: string; policiesDirs: string[]; gpoFolders: number };
    expect(summary).toMatchObject({
      tenantId,
      observedAt: "2026-11-26T00:00:00.000Z",
      policiesDirs: [join(sysvol, "vigil.lab", "Policies")],
    });
    // The two GPOs provisioning creates, at least (another suite may have its own meanwhile).
    expect(summary.gpoFolders).toBeGreaterThanOrEqual(2);
    expect(ok.stderr).toContain(`tenant ${tenantId}:`);
  }, 90_000);
});
