import type { BusEvent, BusSubscription } from "./port.ts";
import { subjectMatches } from "./subjects.ts";

/**
 * In-process fan-out subscription. Like a core-NATS subscriber it is bounded: a subscriber that stops
 * reading loses new messages beyond `limit` (counted in `dropped`) instead of growing without end.
 */
export class MemorySubscription implements BusSubscription {
  readonly #queue: BusEvent[] = [];
  #waiter: ((r: IteratorResult<BusEvent>) => void) | undefined;
  #done = false;
  dropped = 0;

  constructor(
    readonly pattern: string,
    private readonly onEnd: (sub: MemorySubscription) => void,
    private readonly limit = 65_536,
  ) {}

  /** Offer a message; ignored unless the subject matches. */
  offer(event: BusEvent): void {
    if (this.#done || !subjectMatches(this.pattern, event.subject)) return;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w({ value: event, done: false });
    } else if (this.#queue.length < this.limit) {
      this.#queue.push(event);
    } else {
      this.dropped++;
    }
  }

  unsubscribe(): void {
    if (this.#done) return;
    this.#done = true;
    this.#queue.length = 0;
    this.#waiter?.({ value: undefined, done: true });
    this.#waiter = undefined;
    this.onEnd(this);
  }

  [Symbol.asyncIterator](): AsyncIterator<BusEvent> {
    return {
      next: () => {
        const value = this.#queue.shift();
        if (value) return Promise.resolve({ value, done: false });
        if (this.#done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.#waiter = resolve));
      },
      return: () => {
        this.unsubscribe();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
