import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createDevToken } from "@vigil/api";
import { createPublisher, runSensor } from "@vigil/sensor";
import { createProcessor } from "@vigil/stream-processor";
import { loadOrCreateEmbeddedSecretsKey } from "../embedded-secrets.ts";
import { openSiemExport } from "../siem-export.ts";
import { openAdapters } from "../adapters.ts";
import { authFromEnv } from "../api-auth.ts";
import { demoDomainXml } from "../demo/demo-domain.ts";
import { DEMO_SENSOR, DEMO_TENANT, prepareDemoTenant } from "../demo/demo-tenant.ts";
import { serveApi } from "../serve-api.ts";
import type { CommandContext, Running } from "./command.ts";

/**
 * `vigil start`: sensor, processor and API in one process — on the embedded stores unless service
 * URLs are set — with the demo domain replayed through the real sensor path. Prints the GraphQL URL
 * and a ready-to-paste admin token for the demo tenant; serves until stopped.
 */
export async function run({ env, log }: CommandContext): Promise<Running> {
  // Without a configured secret the dev token is signed with a key that lives as long as the process.
  const devSecret = env.VIGIL_JWT_SECRET ?? randomBytes(32).toString("base64url");
  const auth = authFromEnv({ ...env, VIGIL_JWKS_URL: undefined }, devSecret);
  const adapters = await openAdapters(env);
  const dataDir = resolve(env.VIGIL_DATA_DIR);
  const cleanups: (() => Promise<void>)[] = [() => adapters.close()];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => log(`shutdown: ${String(e)}`));
  };
  try {
    const siem = await openSiemExport(adapters.bus, adapters.store, log);
    cleanups.push(() => siem.close());
    const processor = createProcessor({
      bus: adapters.bus,
      store: adapters.store,
      graph: adapters.graph,
      consumerName: env.VIGIL_PROCESSOR_NAME,
      snapshotFile: join(dataDir, `processor-${env.VIGIL_PROCESSOR_NAME}.snapshot.json`),
      maxDeliver: 5,
      ackWaitMs: 30_000,
      log,
      health: {},
      siem: siem.forwarder,
    });
    siem.attach(processor);
    await processor.start();
    cleanups.push(() => processor.stop());

    const secretsKey = env.VIGIL_SECRETS_KEY ?? (await loadOrCreateEmbeddedSecretsKey(dataDir));
    const { app, base } = await serveApi({ ...env, VIGIL_SECRETS_KEY: secretsKey }, adapters, auth);
    cleanups.push(() => app.close());

    const { sensorKey } = await prepareDemoTenant(adapters.store);
    const demoFile = join(dataDir, "demo", "demo-domain.xml");
    await mkdir(join(dataDir, "demo"), { recursive: true });
    await writeFile(demoFile, demoDomainXml(new Date()));
    const publisher = await createPublisher({
      bus: adapters.bus,
      tenantId: DEMO_TENANT,
      sensorId: DEMO_SENSOR,
      sensorKey,
      spoolDir: join(dataDir, "spool", DEMO_SENSOR),
      onLog: log,
    });
    cleanups.push(() => publisher.close());
    const summary = await runSensor({ inputs: [demoFile], publisher, tenantId: DEMO_TENANT, sensorId: DEMO_SENSOR });
    await publisher.flush();

    const token = await createDevToken({
      secret: devSecret,
      tenantId: DEMO_TENANT,
      role: "admin",
      issuer: env.VIGIL_JWT_ISSUER,
      audience: env.VIGIL_JWT_AUDIENCE,
    });
    for (const line of adapters.describe) log(line);
    log(
      `demo domain: ${summary.events} events replayed as tenant '${DEMO_TENANT}' (a password-guessing run, a Domain Admins addition, a DCSync)`,
    );
    log(`GraphQL:   ${base}/graphql   (subscriptions over graphql-ws on the same path)`);
    log(`health:    ${base}/healthz   readiness: ${base}/readyz`);
    log(`dev token (admin of '${DEMO_TENANT}', 8 h):\n\n  Authorization: Bearer ${token}\n`);
    log(`try:  curl -s ${base}/graphql -H 'content-type: application/json' -H 'authorization: Bearer <token>' \\`);
    log(`        -d '{"query":"{ alerts(first: 10) { edges { node { detectionId severity title } } } }"}'`);
    log("vigil is running; Ctrl-C stops it");
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}
