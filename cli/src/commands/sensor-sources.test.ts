import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublisher, createRunSummary, type Publisher } from "@vigil/sensor";
import { createMemoryBus, type MemoryEventBus } from "@vigil/sensor/bus";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StartupError } from "../adapters.ts";
import { parseEnv } from "../env.ts";
import { UsageError } from "./command.ts";
import { expandSambaInputs, radiusSecretsFromEnv, startExtraSources, takeSourceArgs } from "./sensor-sources.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-sources-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("sensor source arguments", () => {
  it("takes --samba-audit, --samba-dc and --radius [PORT] and leaves the rest for the file reader", () => {
    expect(takeSourceArgs(["--follow", "--samba-audit", "/a", "--samba-audit", "/b", "--samba-dc", "dc1", "--radius", "x.evtx"])).toEqual({
      rest: ["--follow", "x.evtx"],
      sambaAudit: ["/a", "/b"],
      sambaDc: "dc1",
      radiusPort: 1813,
    });
    expect(takeSourceArgs(["--radius", "11813"]).radiusPort).toBe(11813);
    expect(takeSourceArgs(["--", "--radius"]).rest).toEqual(["--", "--radius"]);
  });

  it.each([[["--samba-audit"]], [["--samba-audit", "--radius"]], [["--samba-dc"]], [["--radius", "70000"]]])(
    "rejects %j with usage",
    (args) => {
      expect(() => takeSourceArgs(args)).toThrow(UsageError);
    },
  );

  it("needs a RADIUS secret, and names a bad client entry without its secret", () => {
    expect(() => radiusSecretsFromEnv(parseEnv({}))).toThrow(StartupError);
    expect(radiusSecretsFromEnv(parseEnv({ VIGIL_RADIUS_SECRET: "s3cret" }))).toEqual({ default: "s3cret" });
    expect(radiusSecretsFromEnv(parseEnv({ VIGIL_RADIUS_CLIENTS: "10.0.0.1=a,10.0.0.2=b" }))).toEqual({
      clients: { "10.0.0.1": "a", "10.0.0.2": "b" },
    });
    let problems: string[] = [];
    try {
      radiusSecretsFromEnv(parseEnv({ VIGIL_RADIUS_CLIENTS: "vpn=hunter2" }));
    } catch (error) {
      problems = (error as StartupError).problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^VIGIL_RADIUS_CLIENTS: /);
    expect(problems[0]).not.toContain("hunter2");
  });

  it("follows a directory's Samba audit files: by content, or *.json.log while still empty", async () => {
    const logs = join(dir, "samba");
    await mkdir(logs);
    await writeFile(join(logs, "dsdb_transaction.json.log"), "");
    await writeFile(join(logs, "renamed.txt"), '{"timestamp": "2026-11-25T17:00:00+0000", "type": "groupChange", "groupChange": {}}\n');
    await writeFile(join(logs, "log.samba"), "[2026/11/25 17:00:00.000000,  0] ../../source4/samba/server.c:1\n  samba started\n");
    await writeFile(join(logs, "smb.conf"), "[global]\n");
    expect(await expandSambaInputs([logs])).toEqual([join(logs, "dsdb_transaction.json.log"), join(logs, "renamed.txt")]);
    await expect(expandSambaInputs([join(dir, "missing")])).rejects.toThrow(UsageError);
  });
});

describe("startExtraSources with the RADIUS server", () => {
  let bus: MemoryEventBus;
  let publisher: Publisher;
  beforeEach(async () => {
    bus = createMemoryBus();
    publisher = await createPublisher({
      bus,
      tenantId: "t1",
      sensorId: "vpn1",
      sensorKey: "vgl_unit-test-key-0123456789",
      spoolDir: join(dir, "spool"),
    });
  });
  afterEach(async () => {
    await publisher.close();
    await bus.close();
  });

  const radclient = (port: number, secret: string) =>
    new Promise<string>((resolve) => {
      const child = execFile("radclient", ["-r", "1", "-t", "1", `127.0.0.1:${port}`, "acct", secret], (_e, out, err) =>
        resolve(out + err),
      );
      child.stdin!.end('User-Name = "bob", Acct-Status-Type = Start, Acct-Session-Id = "s1", Calling-Station-Id = "203.0.113.7"\n');
    });

  it("publishes accounting sessions and counts secret mismatches for the heartbeat", async () => {
    const abort = new AbortController();
    const counters: Record<string, number> = {};
    const summary = createRunSummary();
    const lines: string[] = [];
    const problems: string[] = [];
    const extra = await startExtraSources({
      sambaInputs: [],
      radiusPort: 0,
      radiusSecrets: { default: "right" },
      publisher,
      tenantId: "t1",
      sensorId: "vpn1",
      signal: abort.signal,
      summary,
      counters,
      log: (l) => lines.push(l),
      onProblem: (p) => problems.push(`${p.file}: ${p.reason}`),
    });
    const port = Number(/listening on UDP (\d+)/.exec(lines.join("\n"))?.[1]);
    expect(port).toBeGreaterThan(0);
    await radclient(port, "wrong");
    await radclient(port, "right");
    expect(counters).toEqual({ radiusEvents: 1, radiusProblems: 1, radiusBadAuthenticator: 1 });
    expect(summary).toMatchObject({ events: 1, published: 1, problems: 1 });
    expect(problems).toEqual([expect.stringMatching(/^radius:127\.0\.0\.1: bad-authenticator: /)]);
    abort.abort();
    await extra.done;
    await extra.stop();
  });

  it("reports a port it cannot bind as a startup error", async () => {
    const common = {
      sambaInputs: [],
      radiusSecrets: { default: "x" },
      publisher,
      tenantId: "t1",
      sensorId: "vpn1",
      summary: createRunSummary(),
      log: () => undefined,
      onProblem: () => undefined,
    };
    const abort = new AbortController();
    const lines: string[] = [];
    const first = await startExtraSources({ ...common, radiusPort: 0, signal: abort.signal, counters: {}, log: (l) => lines.push(l) });
    const taken = Number(/listening on UDP (\d+)/.exec(lines.join("\n"))?.[1]);
    await expect(startExtraSources({ ...common, radiusPort: taken, signal: abort.signal, counters: {} })).rejects.toThrow(StartupError);
    abort.abort();
    await first.stop();
  });
});
