/**
 * Turns across the partitions one processor instance owns. Each partition's consumer keeps one message
 * in flight (per-tenant order), and every message waits here for one of `maxConcurrent` slots; free
 * slots go round-robin to the partitions that have a message waiting, the one served longest ago
 * first. A partition with a backlog therefore gets one turn per round like every other, so its
 * backlog delays it, not its neighbours (issue 10, fair scheduling across partitions).
 */

interface Waiter {
  start: () => void;
}

/** Round-robin admission of partition work with a global bound. */
export class FairScheduler {
  /** Partitions with work waiting, in the order they will be served. */
  readonly #ring: number[] = [];
  readonly #waiting = new Map<number, Waiter[]>();
  #running = 0;
  #turns = 0;

  constructor(readonly maxConcurrent: number) {
    if (!(Number.isInteger(maxConcurrent) && maxConcurrent >= 1))
      throw new Error(`maxConcurrent must be a positive integer, got ${maxConcurrent}`);
  }

  /** Work items started so far. */
  get turns(): number {
    return this.#turns;
  }

  /** Runs `fn` once the partition's turn comes; the slot is freed when it settles. */
  run<T>(partition: number, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.#running++;
        this.#turns++;
        fn()
          .then(resolve, reject)
          .finally(() => {
            this.#running--;
            this.#pump();
          });
      };
      const queue = this.#waiting.get(partition);
      if (queue) queue.push({ start });
      else {
        this.#waiting.set(partition, [{ start }]);
        this.#ring.push(partition);
      }
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#running < this.maxConcurrent && this.#ring.length > 0) {
      const partition = this.#ring.shift()!;
      const queue = this.#waiting.get(partition)!;
      const next = queue.shift()!;
      // Served: to the back of the ring if more of its work waits.
      if (queue.length > 0) this.#ring.push(partition);
      else this.#waiting.delete(partition);
      next.start();
    }
  }
}
