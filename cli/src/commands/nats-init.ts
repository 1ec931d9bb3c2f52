import { access, chmod, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createOperatorSetup, initialResolverFiles, natsServerConfig } from "@vigil/sensor/bus";
import { UsageError, type CommandContext } from "./command.ts";

const USAGE =
  "usage: vigil nats-init DIR [--host 127.0.0.1] [--port 4222] [--monitor-port PORT] [--operator NAME] [--partitions P]\n" +
  "  P: partition mapping written into the account JWT (default VIGIL_PARTITIONS; 0 = none)\n" +
  "  writes nats.conf, operator.jwt, jwt/ (resolver), issuer.json (API only), processor.creds and api.creds to DIR";

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * `vigil nats-init DIR`: new keys and a nats-server config for operator (JWT) mode (docs/nats-auth.md).
 * It never overwrites: the issuer file holds the keys every issued credential depends on, and a
 * rerun that replaced it would lock out every sensor.
 */
export async function run({ env, args, log, out }: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "4222" },
        "monitor-port": { type: "string" },
        operator: { type: "string", default: "vigil" },
        partitions: { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError(`vigil nats-init: ${(error as Error).message}\n${USAGE}`);
  }
  const [target, ...extra] = parsed.positionals;
  if (!target || extra.length > 0) throw new UsageError(`vigil nats-init: give exactly one DIR\n${USAGE}`);
  const port = portOf("--port", parsed.values.port);
  const monitorPort = parsed.values["monitor-port"] !== undefined ? portOf("--monitor-port", parsed.values["monitor-port"]) : undefined;
  const partitions = parsed.values.partitions !== undefined ? Number(parsed.values.partitions) : env.VIGIL_PARTITIONS;
  if (!Number.isInteger(partitions) || partitions < 0 || partitions > 1024) {
    throw new UsageError(`vigil nats-init: --partitions must be 0-1024, got ${parsed.values.partitions}\n${USAGE}`);
  }
  const dir = resolve(target);
  if (await exists(join(dir, "issuer.json"))) {
    log(`${join(dir, "issuer.json")} exists: not overwriting the keys every issued credential depends on`);
    return 1;
  }

  const setup = await createOperatorSetup({ operatorName: parsed.values.operator, ...(partitions > 0 ? { partitions } : {}) });
  await mkdir(join(dir, "jwt"), { recursive: true, mode: 0o700 });
  await mkdir(join(dir, "jetstream"), { recursive: true, mode: 0o700 });
  const secret = async (name: string, content: string) => {
    await writeFile(join(dir, name), content, { mode: 0o600 });
    await chmod(join(dir, name), 0o600);
  };
  await writeFile(join(dir, "operator.jwt"), setup.operatorJwt);
  for (const f of initialResolverFiles(setup)) await writeFile(join(dir, "jwt", f.name), f.content);
  await writeFile(
    join(dir, "nats.conf"),
    natsServerConfig(setup, {
      host: parsed.values.host,
      port,
      ...(monitorPort !== undefined ? { monitorPort } : {}),
      operatorJwtFile: join(dir, "operator.jwt"),
      jetstreamDir: join(dir, "jetstream"),
      resolverDir: join(dir, "jwt"),
    }),
  );
  await secret("issuer.json", `${JSON.stringify(setup.issuer, null, 2)}\n`);
  await secret("processor.creds", setup.processorCreds);
  await secret("api.creds", setup.apiCreds);
  log(
    `operator-mode NATS material written to ${dir} (${partitions > 0 ? `${partitions} partitions` : "no partition mapping"}); ` +
      `start the server with: nats-server -c ${join(dir, "nats.conf")}`,
  );
  out(`# processor: VIGIL_NATS_CREDS=${join(dir, "processor.creds")}`);
  out(`# api:       VIGIL_NATS_CREDS=${join(dir, "api.creds")} VIGIL_NATS_ISSUER_FILE=${join(dir, "issuer.json")}`);
  out("# sensors:   VIGIL_NATS_CREDS=<the natsCreds createSensor / rotateSensorKey returned, saved to a file>");
  return 0;
}

function portOf(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`vigil nats-init: ${flag} must be a port (1-65535), got ${value}\n${USAGE}`);
  return n;
}
