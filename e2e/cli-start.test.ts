import { spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = new URL("../cli/bin/vigil.js", import.meta.url).pathname;

/** The environment of a machine with no Vigil configuration at all. */
function bareEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return { ...env, ...extra };
}

function runToExit(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("vigil start", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "vigil-start-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("runs on embedded stores with no services, replays the demo into alerts the dev token can query, until interrupted", async () => {
    const child = spawn(process.execPath, [bin, "start"], {
      env: bareEnv({ VIGIL_DATA_DIR: dataDir, VIGIL_API_PORT: "0" }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no health URL printed:\n${stderr}`)), 60_000);
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        const m = /health:\s+(http:\/\/[\d.]+:\d+)\/healthz/.exec(stderr);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on("exit", (code) => reject(new Error(`exited ${code} before serving:\n${stderr}`)));
    });
    expect(stderr).toContain("embedded PGlite");
    expect(stderr).toContain("event bus: in-process");
    expect(stderr).toContain("identity graph: in-memory");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready" });
    // The printed token is an admin of the demo tenant; the demo story raises exactly three alerts.
    const token = /Bearer (\S+)/.exec(stderr)?.[1];
    expect(token).toBeDefined();
    const query = async () => {
      const res = await fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "{ alerts(first: 10) { edges { node { detectionId } } } }" }),
      });
      const body = (await res.json()) as { data?: { alerts: { edges: { node: { detectionId: string } }[] } } };
      return (body.data?.alerts.edges ?? []).map((e) => e.node.detectionId).sort();
    };
    let types: string[] = [];
    for (let i = 0; i < 80 && types.length < 3; i++) {
      types = await query();
      if (types.length < 3) await new Promise((r) => setTimeout(r, 250));
    }
    expect(types).toEqual(["brute-force", "dcsync", "sensitive-group-addition"]);
    // No VIGIL_SECRETS_KEY: vigil start made one in its data dir, so credentials can be stored at once.
    const added = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `mutation($input: DirectoryCredentialInput!) { addDirectoryCredential(input: $input) { name } }`,
        variables: { input: { name: "demo-reader", username: "svc-vigil", domainName: "demo.local", password: "Correct-Horse-1" } },
      }),
    });
    expect(await added.json()).toEqual({ data: { addDirectoryCredential: { name: "demo-reader" } } });
    expect((await stat(join(dataDir, "secrets.key"))).mode & 0o777).toBe(0o600);
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  }, 90_000);

  it("refuses bad configuration with one clear line per problem, all at once", async () => {
    const { code, stderr } = await runToExit(
      ["start"],
      bareEnv({ VIGIL_DATA_DIR: dataDir, DATABASE_URL: "postgresql://vigil:hunter2@", NATS_URL: "127.0.0.1:4222", VIGIL_API_PORT: "x" }),
    );
    expect(code).toBe(78);
    const problems = stderr.split("\n").filter((l) => l.startsWith("  - "));
    expect(problems).toHaveLength(3);
    expect(problems.some((p) => p.startsWith("  - DATABASE_URL: must be a URL"))).toBe(true);
    expect(problems.some((p) => p.startsWith("  - NATS_URL: must be"))).toBe(true);
    expect(problems.some((p) => p.startsWith("  - VIGIL_API_PORT:"))).toBe(true);
    expect(stderr).not.toContain("hunter2");
  }, 60_000);

  it("names every unreachable service, with host and port, and exits without serving", async () => {
    const { code, stderr } = await runToExit(
      ["start"],
      bareEnv({
        VIGIL_DATA_DIR: dataDir,
        DATABASE_URL: "postgresql://vigil:hunter2@127.0.0.1:1/vigil",
        NATS_URL: "nats://127.0.0.1:2",
        NEO4J_URI: "bolt://127.0.0.1:3",
        NEO4J_PASSWORD: "whatever1",
      }),
    );
    expect(code).toBe(78);
    const problems = stderr.split("\n").filter((l) => l.startsWith("  - "));
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith("  - DATABASE_URL:"))).toMatch(/127\.0\.0\.1:1\b.*unreachable/);
    expect(problems.find((p) => p.startsWith("  - NATS_URL:"))).toMatch(/NATS at 127\.0\.0\.1:2 is unreachable/);
    expect(problems.find((p) => p.startsWith("  - NEO4J_URI:"))).toMatch(/127\.0\.0\.1:3 is unreachable/);
    expect(stderr).not.toContain("hunter2");
  }, 60_000);

  it("prints usage and fails on an unknown command", async () => {
    const { code, stderr } = await runToExit(["frobnicate"], bareEnv({}));
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'frobnicate'");
  });
});
