// A private rsyslogd (Debian's rsyslog, installed by scripts/rsyslog/install.sh) as a real syslog
// receiver for the SIEM tests: UDP (imudp), plain TCP (imptcp, octet-counted framing) and TCP+TLS
// (imtcp with the GnuTLS driver and a throwaway CA made with the openssl CLI). Every received
// message is written raw, one per line, to a file the test reads back.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running receiver. */
export interface RsyslogReceiver {
  udpPort: number;
  tcpPort: number;
  tlsPort: number;
  /** PEM of the CA that signed the receiver's certificate (CN and SAN localhost / 127.0.0.1). */
  caPem: string;
  /** Messages received so far, in arrival order. */
  lines(): string[];
  stop(): Promise<void>;
}

const RSYSLOGD = "/usr/sbin/rsyslogd";

/** A free loopback port (TCP or UDP), found by binding port 0. */
export async function freePort(kind: "tcp" | "udp"): Promise<number> {
  if (kind === "tcp") {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    return port;
  }
  const socket = createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  const port = socket.address().port;
  await new Promise<void>((r) => socket.close(() => r()));
  return port;
}

function openssl(dir: string, ...args: string[]) {
  const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr || r.error?.message}`);
}

/** Makes a CA and a localhost server certificate in `dir`. */
export function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=vigil-test-ca",
  );
  openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=localhost");
  writeFileSync(join(dir, "ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(
    dir,
    "x509",
    "-req",
    "-in",
    "srv.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "srv.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  );
  return { ca: join(dir, "ca.pem"), cert: join(dir, "srv.pem"), key: join(dir, "srv.key") };
}

/** Starts rsyslogd; `ports` pins ports (the retry test starts it on a port a sender already uses). */
export async function startRsyslog(
  ports: Partial<Pick<RsyslogReceiver, "udpPort" | "tcpPort" | "tlsPort">> = {},
): Promise<RsyslogReceiver> {
  if (!existsSync(RSYSLOGD)) throw new Error(`${RSYSLOGD} missing: run scripts/rsyslog/install.sh (scripts/services.sh up does)`);
  const dir = mkdtempSync(join(tmpdir(), "vigil-rsyslog-"));
  const certs = makeCertificates(dir);
  const udpPort = ports.udpPort ?? (await freePort("udp"));
  const tcpPort = ports.tcpPort ?? (await freePort("tcp"));
  const tlsPort = ports.tlsPort ?? (await freePort("tcp"));
  const out = join(dir, "received.log");
  writeFileSync(out, "");
  writeFileSync(
    join(dir, "rsyslog.conf"),
    `global(workDirectory="${dir}" maxMessageSize="64k"
  defaultNetstreamDriverCAFile="${certs.ca}" defaultNetstreamDriverCertFile="${certs.cert}" defaultNetstreamDriverKeyFile="${certs.key}")
module(load="imudp")
module(load="imptcp")
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
template(name="raw" type="string" string="%rawmsg%\\n")
ruleset(name="received") { action(type="omfile" file="${out}" template="raw" flushOnTXEnd="on" asyncWriting="off") }
input(type="imudp" address="127.0.0.1" port="${udpPort}" ruleset="received")
input(type="imptcp" address="127.0.0.1" port="${tcpPort}" ruleset="received")
input(type="imtcp" address="127.0.0.1" port="${tlsPort}" ruleset="received")
`,
  );
  const child: ChildProcess = spawn(RSYSLOGD, ["-n", "-f", join(dir, "rsyslog.conf"), "-i", join(dir, "rsyslogd.pid")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  await waitListening([tcpPort, tlsPort], child, () => output);
  return {
    udpPort,
    tcpPort,
    tlsPort,
    caPem: readFileSync(certs.ca, "utf8"),
    lines: () =>
      readFileSync(out, "utf8")
        .split("\n")
        .filter((l) => l.length > 0),
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitListening(ports: number[], child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (const port of ports) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`rsyslogd exited (${child.exitCode}): ${output()}`);
      if (await connects(port)) break;
      if (Date.now() > deadline) throw new Error(`rsyslogd did not listen on ${port}: ${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // A connect that is closed at once: rsyslog logs nothing to the output file for it.
    const s = new Socket();
    s.once("error", () => resolve(false));
    s.connect(port, "127.0.0.1", () => {
      s.destroy();
      resolve(true);
    });
  });
}

/** Polls `read` until `done` holds or the time is up. */
export async function waitUntil<T>(what: string, read: () => T, done: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
