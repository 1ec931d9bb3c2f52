/** Events and Windows records for the runtime tests: numbered, so order and identity are easy to check. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finalizeEvent, type VigilEvent } from "../contract/index.ts";

export const TENANT = "acme";
export const SENSOR = "dc01";
export const SENSOR_KEY = "sensor-key-0123456789abcdef";

/** Logon number `i` (its record id), so every `i` gives a distinct event id. */
export function logonEvent(i: number, who: { tenantId?: string; sensorId?: string } = {}): VigilEvent {
  return finalizeEvent({
    kind: "logon",
    tenantId: who.tenantId ?? TENANT,
    sensorId: who.sensorId ?? SENSOR,
    time: new Date(Date.UTC(2024, 2, 1, 10) + i * 1000).toISOString(),
    actor: { name: `user${i % 7}`, domain: "ACME" },
    success: true,
    logonType: 3,
    origin: { format: "event-json", recordId: String(i), eventId: 4624, channel: "Security", computer: "DC01.acme.local" },
  });
}

/** One flat JSON-lines Windows record of a 4624 logon with EventRecordID `i`. */
export function logonRecordLine(i: number): string {
  return JSON.stringify({
    EventID: 4624,
    TimeCreated: new Date(Date.UTC(2024, 2, 1, 10) + i * 1000).toISOString(),
    Computer: "DC01.acme.local",
    Channel: "Security",
    EventRecordID: i,
    EventData: { TargetUserName: `user${i % 7}`, TargetDomainName: "ACME", LogonType: "3", IpAddress: "10.0.0.5" },
  });
}

/** A fresh temp directory and its cleanup. */
export async function tempDir(label: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `vigil-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls `check` until it holds or `ms` pass (then fails with `what`). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
