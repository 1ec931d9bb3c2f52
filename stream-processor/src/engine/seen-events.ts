/**
 * The event ids a tenant's engine has processed, oldest first, with their event times: redelivered
 * events are dropped by id. Every event is checked, added, and (at the bound) evicts the oldest id,
 * so this is a FIFO of ids beside a Set: an id is added once (the engine checks `has` first), hence
 * processing order is insertion order and the oldest is simply the queue's head. A general ordered
 * map costs two more hash lookups and an allocation per event for re-set bookkeeping it never needs.
 */
export class SeenEvents {
  private readonly ids = new Set<string>();
  private queue: string[] = [];
  private times: number[] = [];
  private head = 0;

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /**
   * Remembers an id and returns true when it was not held yet; an id already held is left as it was
   * (its first time stands) and gives false. One hash lookup for the engine's check-and-record.
   */
  add(id: string, time: number): boolean {
    const before = this.ids.size;
    this.ids.add(id);
    if (this.ids.size === before) return false;
    this.queue.push(id);
    this.times.push(time);
    return true;
  }

  /** Forgets the id added last (the engine's undo when processing that event failed). */
  dropNewest(): void {
    if (this.queue.length <= this.head) return;
    this.ids.delete(this.queue.pop()!);
    this.times.pop();
  }

  /** Forgets the oldest ids while more than maxSize are held or the oldest is older than minTime. */
  evict(maxSize: number, minTime: number): void {
    while (this.head < this.queue.length && (this.ids.size > maxSize || this.times[this.head]! < minTime)) {
      this.ids.delete(this.queue[this.head]!);
      this.head++;
    }
    // Drop the consumed prefix once it is most of the arrays: amortized O(1) per id.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  /** [id, event time] oldest first. */
  *[Symbol.iterator](): IterableIterator<[string, number]> {
    for (let i = this.head; i < this.queue.length; i++) yield [this.queue[i]!, this.times[i]!];
  }
}
