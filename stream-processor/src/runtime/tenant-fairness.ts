/**
 * Per-tenant fairness on the processing side, for sensors that ignore their quota (old or hostile).
 * Pure decisions on an injected clock; the consumer loop asks `admit` for every delivered message and
 * naks a deferred one with the delay it names. JetStream then keeps the message (nothing is lost)
 * and the loop moves on to the messages behind it, so other tenants are not stuck behind a flood.
 *
 * The budget is a GCRA (virtual-scheduling token bucket) at the tenant's quota × headroom. A message
 * over budget is deferred only while the processor is contended, meaning another tenant within its
 * budget was heard from in the last `contentionMs`: alone, or when every tenant is over budget (all
 * catching up after an outage), nobody gains from waiting, so the work is done at once.
 *
 * A deferred message reserves the slot it is delayed to, so it is admitted when it comes back and
 * the tenant's events drain at its budget in stream order. Deferrals use deliveries, which count
 * towards max_deliver: only the first `maxDeliver − reserve` deliveries may be deferred, the rest are
 * kept for real retries, so fairness can delay an event but never dead-letter it.
 */

/** What decides a tenant's budget: its ingest quota. */
export interface TenantBudget {
  ratePerSecond: number;
  burst: number;
}

/** Tuning of the gate; every field has a default. */
export interface FairnessOptions {
  /** Processing budget = quota × headroom (default 1.5): a sensor keeping its quota is never deferred by jitter. */
  headroom?: number;
  /** Another in-budget tenant heard within this long means contention (default 2000 ms). */
  contentionMs?: number;
  /** Longest delay of one deferral (default 30 s); a later slot is not reserved, the message is looked at again. */
  maxDeferMs?: number;
  /** Deferred messages remembered at most (default 100 000); beyond it messages are processed, not deferred. */
  maxReserved?: number;
  /** Length of the arrival meter (default 60 s). */
  meterWindowMs?: number;
}

/** The message facts the gate reads. */
export interface GateMessage {
  tenantId: string;
  /** Stream sequence: identifies a deferred message when it comes back. */
  seq: number;
  deliveryCount: number;
}

/** Wait this long before delivering the message again. */
export interface Deferral {
  delayMs: number;
  reason: string;
}

/** A tenant's arrivals (first deliveries) over the meter window. */
export interface ArrivalReading {
  tenantId: string;
  /** Events per second over the window. */
  ratePerSecond: number;
  windowMs: number;
}

interface TenantGate {
  /** Theoretical arrival time of the next conforming message (ms). */
  tat: number;
  /** Arrivals per meter slot (one slot per second), and which second slot 0 is. */
  slots: number[];
  slotBase: number;
}

/** The fairness gate of one processor (or one partition owner). */
export class TenantFairness {
  readonly #tenants = new Map<string, TenantGate>();
  /** Deferred messages (tenant + stream sequence, as partitions may number their own streams) → their reserved slot. */
  readonly #reserved = new Map<string, number>();
  /** The two most recent distinct tenants admitted within budget, newest first. */
  #recent: { tenantId: string; at: number }[] = [];
  readonly #headroom: number;
  readonly #contentionMs: number;
  readonly #maxDeferMs: number;
  readonly #maxReserved: number;
  readonly #slots: number;
  readonly #maxDeferrals: number;
  #deferred = 0;

  constructor(
    private readonly budgetOf: (tenantId: string) => TenantBudget,
    maxDeliver: number,
    options: FairnessOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.#headroom = options.headroom ?? 1.5;
    this.#contentionMs = options.contentionMs ?? 2000;
    this.#maxDeferMs = options.maxDeferMs ?? 30_000;
    this.#maxReserved = options.maxReserved ?? 100_000;
    this.#slots = Math.max(1, Math.round((options.meterWindowMs ?? 60_000) / 1000));
    // Half the deliveries (at least two) stay for sink retries after any deferrals.
    this.#maxDeferrals = Math.max(0, maxDeliver - Math.max(2, Math.ceil(maxDeliver / 2)));
  }

  /** Messages deferred so far. */
  get deferred(): number {
    return this.#deferred;
  }

  /** Undefined: process the message now. Otherwise nak it with the deferral's delay. */
  admit(m: GateMessage): Deferral | undefined {
    const now = this.now();
    const gate = this.#gate(m.tenantId, now);
    if (m.deliveryCount === 1) this.#count(gate, now);
    const key = `${m.tenantId}\u0000${m.seq}`;
    const slot = this.#reserved.get(key);
    if (slot !== undefined) {
      // Its slot was charged when it was deferred; early returns (a nak delay cut short) wait out the rest.
      if (slot - now > 50 && m.deliveryCount <= this.#maxDeferrals) return this.#defer(slot - now, m, "its reserved slot has not come yet");
      this.#reserved.delete(key);
      return undefined;
    }
    const budget = this.budgetOf(m.tenantId);
    const interval = 1000 / (budget.ratePerSecond * this.#headroom);
    const tolerance = Math.max(1, budget.burst) * interval;
    const start = Math.max(gate.tat, now);
    if (gate.tat - now <= tolerance) {
      gate.tat = start + interval;
      this.#within(m.tenantId, now);
      return undefined;
    }
    if (!this.#contended(m.tenantId, now) || m.deliveryCount > this.#maxDeferrals || this.#reserved.size >= this.#maxReserved) {
      // Done now; the debt is forgotten beyond the tolerance, so past idle-time use is not punished later.
      gate.tat = Math.min(start + interval, now + tolerance);
      return undefined;
    }
    const wait = gate.tat - tolerance - now;
    if (wait > this.#maxDeferMs) return this.#defer(this.#maxDeferMs, m, "far over its budget");
    this.#reserved.set(key, now + wait);
    gate.tat += interval;
    return this.#defer(wait, m, "over its budget while other tenants wait");
  }

  /** Arrival rates of every tenant heard from within the meter window. */
  readings(): ArrivalReading[] {
    const now = this.now();
    // A reserved message that never came back (redelivered to another instance, or consumed before a
    // restart) would otherwise stay forever.
    for (const [key, slot] of this.#reserved) if (now - slot > this.#maxDeferMs * 2) this.#reserved.delete(key);
    const out: ArrivalReading[] = [];
    for (const [tenantId, gate] of this.#tenants) {
      this.#rotate(gate, now);
      const total = gate.slots.reduce((a, b) => a + b, 0);
      if (total === 0 && gate.tat < now) {
        this.#tenants.delete(tenantId);
        continue;
      }
      out.push({ tenantId, ratePerSecond: total / this.#slots, windowMs: this.#slots * 1000 });
    }
    return out;
  }

  #defer(delayMs: number, m: GateMessage, why: string): Deferral {
    this.#deferred++;
    const ms = Math.max(1, Math.ceil(delayMs));
    return { delayMs: ms, reason: `tenant ${m.tenantId} ${why}: deferred ${ms} ms (fair share)` };
  }

  #contended(tenantId: string, now: number): boolean {
    const other = this.#recent.find((r) => r.tenantId !== tenantId);
    return other !== undefined && now - other.at <= this.#contentionMs;
  }

  #within(tenantId: string, now: number): void {
    this.#recent = [{ tenantId, at: now }, ...this.#recent.filter((r) => r.tenantId !== tenantId)].slice(0, 2);
  }

  #gate(tenantId: string, now: number): TenantGate {
    let gate = this.#tenants.get(tenantId);
    if (!gate)
      this.#tenants.set(
        tenantId,
        (gate = { tat: now, slots: new Array<number>(this.#slots).fill(0), slotBase: Math.floor(now / 1000) - this.#slots + 1 }),
      );
    return gate;
  }

  #count(gate: TenantGate, now: number): void {
    this.#rotate(gate, now);
    gate.slots[gate.slots.length - 1]! += 1;
  }

  /** Shifts the meter so its last slot is the current second. */
  #rotate(gate: TenantGate, now: number): void {
    const second = Math.floor(now / 1000);
    const shift = Math.min(this.#slots, second - (gate.slotBase + this.#slots - 1));
    if (shift <= 0) return;
    gate.slots.splice(0, shift);
    for (let i = 0; i < shift; i++) gate.slots.push(0);
    gate.slotBase = second - this.#slots + 1;
  }
}
