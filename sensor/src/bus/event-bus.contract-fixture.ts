// Shared set-up of the EventBus contract (event-bus.contract.ts): a fresh bus and tenant per case, consumers
// stopped and the bus disposed after it. Timings are short with slack for 2 busy cores.
import { afterEach, beforeEach } from "vitest";
import { uniqueTenantId } from "../../../test-support/services.ts";
import type { BusMessage, ConsumeOptions, ConsumerHandle, EventBus, PublishResult } from "./port.ts";

/** How the contract gets a fresh, isolated bus of the adapter under test. */
export interface EventBusFactory {
  create(): Promise<EventBus>;
  /** Remove what `create` left on a shared server (runs before `close`). */
  dispose?(bus: EventBus): Promise<void>;
  /** Connect to an address where nothing listens; adapters without a server omit it. */
}

export const ACK_WAIT = 400;
export const NAK_DELAY = 700;
/** Ceiling for arrivals: far above the expected time, so only a real bug fails it. */
export const WAIT = { timeout: 8000, interval: 20 };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One observed delivery. */
export type Seen = { n: number; seq: number; deliveryCount: number; at: number };

/** Per-case state and helpers of the contract. */
export interface ContractFixture {
  readonly bus: EventBus;
  readonly tenant: string;
  subject(kind?: string): string;
  /** Publish `{ n, ...extra }` to the tenant's logon subject. */
  publishN(n: number, extra?: Record<string, unknown>): Promise<PublishResult>;
  record(seen: Seen[], m: BusMessage): void;
  ackAll(seen: Seen[]): (m: BusMessage) => Promise<void>;
  /** Consume the tenant's events as durable "proc" (maxDeliver 5, ackWait ACK_WAIT, maxInFlight 4 unless overridden). */
  start(over: Partial<ConsumeOptions> & Pick<ConsumeOptions, "handler">): Promise<ConsumerHandle>;
  /** Stop a consumer inside the case (it is then not stopped again after the case). */
  stop(h: ConsumerHandle): Promise<void>;
}

/** Register the per-case hooks and return the fixture. */
export function useContractFixture(factory: EventBusFactory): ContractFixture {
  let bus: EventBus;
  let tenant: string;
  const handles: ConsumerHandle[] = [];
  beforeEach(async () => {
    bus = await factory.create();
    tenant = uniqueTenantId("bus");
  });
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.stop();
    await factory.dispose?.(bus);
    await bus.close();
  });
  const fx: ContractFixture = {
    get bus() {
      return bus;
    },
    get tenant() {
      return tenant;
    },
    subject: (kind = "logon") => `vigil.events.${tenant}.${kind}`,
    publishN: (n, extra = {}) => bus.publish(fx.subject(), JSON.stringify({ n, ...extra })),
    record: (seen, m) =>
      void seen.push({ n: m.json<{ n: number }>().n, seq: m.seq, deliveryCount: m.deliveryCount, at: performance.now() }),
    ackAll: (seen) => async (m) => {
      fx.record(seen, m);
      await m.ack();
    },
    start: async (over) => {
      const h = await bus.consume({
        durable: "proc",
        filterSubject: `vigil.events.${tenant}.>`,
        maxDeliver: 5,
        ackWaitMs: ACK_WAIT,
        maxInFlight: 4,
        ...over,
      });
      handles.push(h);
      return h;
    },
    stop: async (h) => {
      handles.splice(handles.indexOf(h), 1);
      await h.stop();
    },
  };
  return fx;
}
