// Exit codes of the real `vigil` binary when a run fails after it started (not a configuration error,
// which is 78): schedulers and scripts read them.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { testSamba } from "../test-support/samba.ts";
import { testServices, uniqueTenantId } from "../test-support/services.ts";

const bin = new URL("../cli/bin/vigil.js", import.meta.url).pathname;

function vigil(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir() };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...base, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

it("vigil ldap-sync --once exits 1 when the directory refuses the credential, and never prints the password", async () => {
  const { code, stderr } = await vigil(["ldap-sync", "--once"], {
    VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), "vigil-e2e-exit-")),
    NATS_URL: testServices.natsUrl,
    VIGIL_BUS_NAMESPACE: uniqueTenantId("exitns").replace(/-/g, "_"),
    VIGIL_SENSOR_TENANT: uniqueTenantId("exit"),
    VIGIL_SENSOR_ID: "ldap01",
    VIGIL_SENSOR_KEY: "vgl_test-key-0123456789",
    VIGIL_LDAP_URL: testSamba.url,
    VIGIL_LDAP_BIND_DN: testSamba.bindDn,
    VIGIL_LDAP_PASSWORD: "not-the-password",
  });
  expect(stderr).toContain("LDAP_BAD_CREDENTIALS");
  expect(stderr).not.toContain("not-the-password");
  expect(code).toBe(1);
}, 60_000);
