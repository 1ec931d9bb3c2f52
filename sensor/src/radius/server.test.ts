import { execFile } from "node:child_process";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import type { EventOf } from "../contract/index.ts";
import { ACCOUNTING_RESPONSE, accountingRequest } from "./packet.ts";
import { parseRadiusClients, startRadiusServer, type RadiusProblem, type RadiusServer, type RadiusServerOptions } from "./server.ts";

/**
 * The accounting server against FreeRADIUS's radclient (Debian freeradius-utils, installed by
 * scripts/services.sh up): real Accounting-Requests in, and radclient itself checks the Response
 * Authenticator of what comes back (it reports "Reply verification failed" otherwise).
 */
const SECRET = "testing123";
let server: RadiusServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(extra: Partial<RadiusServerOptions> = {}) {
  const events: EventOf<"radius.accounting">[] = [];
  const problems: RadiusProblem[] = [];
  server = await startRadiusServer({
    tenantId: "t1",
    sensorId: "vpn1",
    port: 0,
    host: "127.0.0.1",
    secrets: { default: SECRET },
    onEvent: (d) => void events.push(d),
    onProblem: (p) => problems.push(p),
    now: () => new Date("2026-11-25T20:00:00Z"),
    ...extra,
  });
  return { events, problems, port: server.port };
}

function radclient(port: number, secret: string, input: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile("radclient", ["-x", "-r", "1", "-t", "1", `127.0.0.1:${port}`, "acct", secret], (error, stdout, stderr) =>
      resolve({ code: typeof error?.code === "number" ? error.code : error ? -1 : 0, out: stdout + stderr }),
    );
    child.stdin!.end(input);
  });
}

const session = (status: string, extra = "") =>
  `User-Name = "alice@corp.example", Acct-Status-Type = ${status}, Acct-Session-Id = "s-42", Framed-IP-Address = 10.8.0.5, Calling-Station-Id = "203.0.113.7", NAS-IP-Address = 192.0.2.1${extra}\n`;

describe("RADIUS accounting server with radclient", () => {
  it("turns Start / Interim-Update / Stop into radius.accounting events and answers each", async () => {
    const { events, port } = await start();
    const input = [
      session("Start"),
      session("Interim-Update", ", Acct-Session-Time = 300"),
      session("Stop", ", Acct-Session-Time = 600, Acct-Terminate-Cause = User-Request"),
    ].join("\n");
    const { code, out } = await radclient(port, SECRET, input);
    expect(code).toBe(0);
    expect(out.match(/Received Accounting-Response/g)).toHaveLength(3);
    expect(out).not.toMatch(/verification failed/i);
    expect(events.map((e) => [e.statusType, e.sessionSeconds])).toEqual([
      ["start", undefined],
      ["interim", 300],
      ["stop", 600],
    ]);
    expect(events[0]).toMatchObject({
      kind: "radius.accounting",
      userName: "alice@corp.example",
      actor: { name: "alice", domain: "corp.example" },
      sessionId: "s-42",
      framedIp: "10.8.0.5",
      callingStation: "203.0.113.7",
      src: { ip: "203.0.113.7" },
      nasIp: "192.0.2.1",
      target: { host: "192.0.2.1" },
      origin: { format: "radius" },
      time: "2026-11-25T20:00:00.000Z",
    });
    // Three packets of one session are three events (three ids).
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(server!.stats()).toMatchObject({ received: 3, answered: 3, events: 3, dropped: {} });
  });

  it("drops a request signed with the wrong secret unanswered and counts it as a secret mismatch", async () => {
    const { events, problems, port } = await start();
    const { code, out } = await radclient(port, "not-the-secret", session("Start"));
    expect(code).not.toBe(0);
    expect(out).toMatch(/No reply from server/);
    expect(events).toEqual([]);
    expect(problems.map((p) => p.reason)).toEqual(["bad-authenticator"]); // -r 1: one try, no retransmission
    expect(server!.stats()).toMatchObject({ received: 1, answered: 0, events: 0, dropped: { "bad-authenticator": 1 } });
  });

  it("uses the per-client secret, and drops NAS it has no secret for", async () => {
    const { events, port } = await start({ secrets: { clients: { "127.0.0.1": "per-client-secret" } } });
    expect((await radclient(port, "per-client-secret", session("Start"))).code).toBe(0);
    expect(events).toHaveLength(1);
    await server!.close();
    const other = await start({ secrets: { clients: { "10.1.1.1": SECRET } } });
    expect((await radclient(other.port, SECRET, session("Start"))).code).not.toBe(0);
    expect(other.problems[0]).toMatchObject({ reason: "unknown-client", client: "127.0.0.1" });
  });

  it("answers authentic requests that give no event (Accounting-On, no User-Name) without recording one", async () => {
    const { events, problems, port } = await start();
    const input = [
      `Acct-Status-Type = Accounting-On, NAS-IP-Address = 192.0.2.1\n`,
      `Acct-Status-Type = Start, Acct-Session-Id = "x"\n`,
    ].join("\n");
    const { code, out } = await radclient(port, SECRET, input);
    expect(code).toBe(0);
    expect(out.match(/Received Accounting-Response/g)).toHaveLength(2);
    expect(events).toEqual([]);
    expect(problems.map((p) => [p.reason, p.detail])).toEqual([
      ["no-event", "accounting-on from the NAS (no user session)"],
      ["unmappable", "no User-Name"],
    ]);
  });

  it("does not answer what it could not record, so the NAS retransmits", async () => {
    const { port, problems } = await start({ onEvent: () => Promise.reject(new Error("spool full")) });
    expect((await radclient(port, SECRET, session("Start"))).code).not.toBe(0);
    expect(problems[0]).toMatchObject({ reason: "record-failed", detail: expect.stringMatching(/spool full/) });
  });
});

describe("RADIUS accounting server with malformed datagrams", () => {
  const attr = (type: number, value: Buffer | string | number) => ({
    type,
    value: typeof value === "number" ? Buffer.from([0, 0, 0, 0].map((_, i) => (value >>> (24 - 8 * i)) & 0xff)) : Buffer.from(value),
  });
  const good = (id: number, extra: { type: number; value: Buffer }[] = []) =>
    accountingRequest(id, [attr(1, "bob"), attr(40, 1), attr(44, "s-1"), attr(4, Buffer.from([192, 0, 2, 1])), ...extra], SECRET);

  async function send(port: number, datagrams: Buffer[]): Promise<Buffer[]> {
    const socket = createSocket("udp4");
    const replies: Buffer[] = [];
    socket.on("message", (m) => replies.push(m));
    for (const d of datagrams) socket.send(d, port, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 300));
    socket.close();
    await once(socket, "close");
    return replies;
  }

  it("drops each kind of bad datagram with its reason, never answers them, and still serves the good one after them", async () => {
    const { events, problems, port } = await start();
    const tooLong = good(2);
    tooLong.writeUInt16BE(tooLong.length + 10, 2);
    const accessRequest = good(3);
    accessRequest[0] = 1;
    const badAttribute = Buffer.concat([good(4).subarray(0, 20), Buffer.from([1, 1, 0])]);
    badAttribute.writeUInt16BE(badAttribute.length, 2);
    const badIp = accountingRequest(5, [attr(1, "bob"), attr(40, 1), attr(44, "s"), attr(8, Buffer.from([10, 0, 0]))], SECRET);
    const replies = await send(port, [Buffer.alloc(10), tooLong, accessRequest, badAttribute, badIp, good(9)]);
    expect(problems.map((p) => p.reason)).toEqual(["short", "bad-length", "not-accounting-request", "bad-attribute", "unmappable"]);
    // The unmappable one is authentic, so it is answered (id 5); the good one too (id 9).
    expect(replies.map((r) => [r[0], r[1]])).toEqual([
      [ACCOUNTING_RESPONSE, 5],
      [ACCOUNTING_RESPONSE, 9],
    ]);
    expect(events.map((e) => e.userName)).toEqual(["bob"]);
  });

  it("keeps octets beyond Length as padding, and gives a retransmission (new Acct-Delay-Time) the same event id", async () => {
    const { events, port } = await start();
    const padded = Buffer.concat([good(1, [attr(41, 0)]), Buffer.alloc(7)]);
    await send(port, [padded, good(2, [attr(41, 5)])]);
    expect(events).toHaveLength(2);
    const [first, again] = events;
    expect(first!.id).toBe(again!.id);
    // Without Event-Timestamp the time is arrival minus the delay the NAS reports.
    expect(events[1]!.time).toBe("2026-11-25T19:59:55.000Z");
  });

  it("uses Event-Timestamp when the NAS sends it", async () => {
    const { events, port } = await start();
    await send(port, [good(1, [attr(55, Date.parse("2026-11-24T08:00:00Z") / 1000)])]);
    expect(events[0]!.time).toBe("2026-11-24T08:00:00.000Z");
  });
});

describe("parseRadiusClients", () => {
  it("reads IP=secret pairs and rejects anything else without echoing the secret", () => {
    expect(parseRadiusClients(" 10.0.0.1=a=b , fd00::1=c ")).toEqual({ "10.0.0.1": "a=b", "fd00::1": "c" });
    expect(() => parseRadiusClients("vpn.example=hunter2")).toThrow(/"vpn.example=…" is not IP=secret/);
    expect(() => parseRadiusClients("10.0.0.1=")).toThrow(/not IP=secret/);
  });
});
