/**
 * Test double of the *network* in front of the real in-process bus: while `down`, every call fails
 * the way the JetStream adapter does when NATS is unreachable. The bus behind it is the real embedded
 * adapter (dedupe, consumers), so only the outage is simulated. Unit tests only; the integration test
 * kills a real nats-server instead.
 */
import { BusError, createMemoryBus, type EventBus, type MemoryEventBus, type PublishOptions, type PublishResult } from "../bus/index.ts";

export class OutageBus implements EventBus {
  down = false;
  /** Every publish attempt, including refused ones. */
  attempts = 0;
  /** Subjects and msgIds the bus accepted, in order (duplicates included). */
  readonly accepted: { subject: string; msgId?: string; duplicate: boolean }[] = [];

  constructor(readonly inner: MemoryEventBus = createMemoryBus()) {}

  async publish(subject: string, payload: Uint8Array | string, options?: PublishOptions): Promise<PublishResult> {
    this.attempts++;
    if (this.down) throw new BusError("BUS_UNREACHABLE", "NATS at 127.0.0.1:4222 is unreachable (simulated outage)");
    const result = await this.inner.publish(subject, payload, options);
    this.accepted.push({ subject, ...(options?.msgId !== undefined ? { msgId: options.msgId } : {}), duplicate: result.duplicate });
    return result;
  }

  consume: EventBus["consume"] = (options) => this.inner.consume(options);
  subscribe: EventBus["subscribe"] = (subject) => this.inner.subscribe(subject);
  readDeadLetters: EventBus["readDeadLetters"] = (filter) => this.inner.readDeadLetters(filter);
  health: EventBus["health"] = () => this.inner.health();
  close: EventBus["close"] = () => this.inner.close();
}
