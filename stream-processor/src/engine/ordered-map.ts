/**
 * A map that remembers the order entries were last set in, with O(1) amortized access to the oldest.
 * The engine evicts from the front on every event; a plain Map cannot do that cheaply, because V8
 * leaves a hole per deleted entry and a fresh `for…of` must walk every hole from the start, which made
 * eviction at the seen-events cap cost O(cap) per event.
 */
export class OrderedMap<K, V> {
  private readonly entries = new Map<K, { value: V; seq: number }>();
  // Every set appends (key, seq); an element is live while the map still holds that seq for the key.
  private queue: { key: K; seq: number }[] = [];
  private head = 0;
  private nextSeq = 0;

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Sets the value and makes the key the newest entry. */
  set(key: K, value: V): void {
    const seq = this.nextSeq++;
    this.entries.set(key, { value, seq });
    this.queue.push({ key, seq });
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** The oldest live entry, or undefined when empty. */
  first(): { key: K; value: V } | undefined {
    while (this.head < this.queue.length) {
      const q = this.queue[this.head]!;
      const live = this.entries.get(q.key);
      if (live && live.seq === q.seq) return { key: q.key, value: live.value };
      this.head++;
    }
    this.maintain();
    return undefined;
  }

  /** Entries oldest first. */
  *[Symbol.iterator](): IterableIterator<[K, V]> {
    for (let i = this.head; i < this.queue.length; i++) {
      const q = this.queue[i]!;
      const live = this.entries.get(q.key);
      if (live && live.seq === q.seq) yield [q.key, live.value];
    }
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this) yield v;
  }

  /**
   * Keeps the queue proportional to the live size: drops the consumed prefix once it is most of the
   * array, and rebuilds when dead slots (re-set or deleted keys) outnumber live ones. Amortized O(1).
   */
  maintain(): void {
    const pending = this.queue.length - this.head;
    if (pending > 2 * this.entries.size + 1024) {
      this.queue = [...this].map(([key]) => ({ key, seq: this.entries.get(key)!.seq }));
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
