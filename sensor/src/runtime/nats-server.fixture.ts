/**
 * A nats-server the test owns (its own port and `-sd` store), so it can kill it with SIGKILL and
 * start it again on the same port and store, like a crashed and restarted broker.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

/** A free TCP port on 127.0.0.1 (free when asked; the server takes it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (!address || typeof address !== "object") throw new Error("no port");
  return address.port;
}

export class OwnNatsServer {
  #child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly storeDir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(storeDir: string): Promise<OwnNatsServer> {
    const server = new OwnNatsServer(await freePort(), storeDir);
    await server.restart();
    return server;
  }

  /** Starts the server (again) and resolves once it accepts clients with JetStream ready. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error("nats-server is already running");
    const child = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(this.port), "-js", "-sd", this.storeDir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.#child = child;
    let log = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not get ready:\n${log}`)), 15_000);
      child.stderr!.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes("Server is ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${log}`));
      });
    });
    child.removeAllListeners("exit");
  }

  /** SIGKILL: no shutdown, no flush, the way a crash or an OOM kill ends it. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    }
  }
}
