/**
 * A nats-server in operator (JWT) mode that a test owns: fresh keys from Vigil's own
 * createOperatorSetup, a full resolver, JetStream, a private port, state under `.vigil/`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { freePort } from "../runtime/nats-server.fixture.ts";
import {
  createOperatorSetup,
  initialResolverFiles,
  natsServerConfig,
  type OperatorSetup,
  type OperatorSetupOptions,
} from "./auth-operator.ts";

/** A running operator-mode server and the material it was configured with. */
export class OperatorNatsServer {
  #child: ChildProcess | undefined;

  private constructor(
    readonly setup: OperatorSetup,
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(label: string, options: OperatorSetupOptions = {}): Promise<OperatorNatsServer> {
    const dir = resolve(".vigil", "test-nats-auth", `${label}-${process.pid}-${Date.now().toString(36)}`);
    await mkdir(dir, { recursive: true });
    const setup = await createOperatorSetup({ operatorName: `test-${label}`, ...options });
    const server = new OperatorNatsServer(setup, await freePort(), dir);
    await writeFile(join(dir, "operator.jwt"), setup.operatorJwt);
    const config = natsServerConfig(setup, {
      port: server.port,
      operatorJwtFile: join(dir, "operator.jwt"),
      jetstreamDir: join(dir, "js"),
      resolverDir: join(dir, "jwt"),
    });
    await writeFile(join(dir, "nats.conf"), config);
    await mkdir(join(dir, "jwt"), { recursive: true });
    for (const f of initialResolverFiles(setup)) await writeFile(join(dir, "jwt", f.name), f.content);
    await server.restart();
    return server;
  }

  /** (Re)starts the server on the same port, config and state. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error("nats-server is already running");
    const child = spawn("nats-server", ["-c", join(this.dir, "nats.conf")], { stdio: ["ignore", "ignore", "pipe"] });
    this.#child = child;
    let log = "";
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`nats-server (operator mode) did not get ready:\n${log}`)), 15_000);
      child.stderr!.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes("Server is ready")) {
          clearTimeout(timer);
          done();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        fail(new Error(`nats-server exited with ${code}:\n${log}`));
      });
    });
    child.removeAllListeners("exit");
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    }
  }

  /** Stops the server and deletes its state. */
  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
