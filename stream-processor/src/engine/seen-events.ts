/**
 * The event ids a tenant's engine has processed, oldest first, with their event times: redelivered
 * events are dropped by id. Every event is checked, added, and (at the bound) evicts the oldest id,
 * so this is a FIFO: an id is added once, hence processing order is insertion order and the oldest
 * is the ring's head.
 *
 * Why not a Set beside the FIFO (as before): at the 100 000-id bound every event then costs a Set
 * insert and a Set delete on a multi-megabyte hash table of fresh strings (hashing, several cache
 * misses, and periodic rehashes to clear deleted entries): a fifth of the engine's time. Here the ring
 * holds ids, times and a 32-bit hash per id, and an open-addressing table of (ring position, hash)
 * pairs (a typed array, linear probing, deletion by backward shift so no tombstones) finds them: one
 * hash of the id and a probe or two, in one cache line, per event. Equal hashes are confirmed by
 * comparing the ids, so a collision costs a comparison, never a dropped event.
 */
export class SeenEvents {
  /** Ring of ids oldest first: the live ones are at head, head + 1, … (mod capacity). */
  private ids: (string | undefined)[];
  private times: Float64Array;
  private hashes: Int32Array;
  private head = 0;
  private count = 0;
  /**
   * Open-addressing table, at most half full: entry i is table[2i] = ring position + 1 (0 = empty)
   * and table[2i + 1] = the id's hash, so probing needs no look into the ring.
   */
  private table: Int32Array;

  constructor(initialCapacity = 16) {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.ids = new Array<string | undefined>(capacity).fill(undefined);
    this.times = new Float64Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.table = new Int32Array(4 * capacity);
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.find(id, hashId(id)) >= 0;
  }

  /**
   * Remembers an id and returns true when it was not held yet; an id already held is left as it was
   * (its first time stands) and gives false. One hash and probe for the engine's check-and-record.
   */
  add(id: string, time: number): boolean {
    const h = hashId(id);
    if (this.find(id, h) >= 0) return false;
    if (this.count === this.ids.length) this.grow();
    const slot = (this.head + this.count) & (this.ids.length - 1);
    this.ids[slot] = id;
    this.times[slot] = time;
    this.hashes[slot] = h;
    this.count++;
    const mask = (this.table.length >> 1) - 1;
    let i = h & mask;
    while (this.table[2 * i] !== 0) i = (i + 1) & mask;
    this.table[2 * i] = slot + 1;
    this.table[2 * i + 1] = h;
    return true;
  }

  /** Forgets the id added last (the engine's undo when processing that event failed). */
  dropNewest(): void {
    if (this.count === 0) return;
    const slot = (this.head + this.count - 1) & (this.ids.length - 1);
    this.unindex(slot);
    this.ids[slot] = undefined;
    this.count--;
  }

  /** Forgets the oldest ids while more than maxSize are held or the oldest is older than minTime. */
  evict(maxSize: number, minTime: number): void {
    while (this.count > 0 && (this.count > maxSize || this.times[this.head]! < minTime)) {
      this.unindex(this.head);
      this.ids[this.head] = undefined;
      this.head = (this.head + 1) & (this.ids.length - 1);
      this.count--;
    }
  }

  /** [id, event time] oldest first. */
  *[Symbol.iterator](): IterableIterator<[string, number]> {
    const mask = this.ids.length - 1;
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) & mask;
      yield [this.ids[slot]!, this.times[slot]!];
    }
  }

  /** Ring slots allocated (for tests of the bound: at most twice the most ids held at once, and 16). */
  get capacity(): number {
    return this.ids.length;
  }

  /** The ring position holding id, or -1. */
  private find(id: string, h: number): number {
    const mask = (this.table.length >> 1) - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const entry = this.table[2 * i]!;
      if (entry === 0) return -1;
      if (this.table[2 * i + 1] === h && this.ids[entry - 1] === id) return entry - 1;
    }
  }

  /** Removes a ring position from the table, shifting later entries of its probe run back into the gap. */
  private unindex(slot: number): void {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let gap = this.hashes[slot]! & mask;
    while (table[2 * gap] !== slot + 1) gap = (gap + 1) & mask;
    table[2 * gap] = 0;
    for (let i = (gap + 1) & mask; table[2 * i] !== 0; i = (i + 1) & mask) {
      const home = table[2 * i + 1]! & mask;
      // The entry may fill the gap when the gap lies between its home and where it sits now.
      if (((i - home) & mask) >= ((i - gap) & mask)) {
        table[2 * gap] = table[2 * i]!;
        table[2 * gap + 1] = table[2 * i + 1]!;
        table[2 * i] = 0;
        gap = i;
      }
    }
  }

  /** Doubles the ring (laid out again from position 0) and rebuilds the table from the kept hashes. */
  private grow(): void {
    const { ids, times, hashes, head, count } = this;
    const mask = ids.length - 1;
    const capacity = ids.length * 2;
    this.ids = new Array<string | undefined>(capacity).fill(undefined);
    this.times = new Float64Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.table = new Int32Array(4 * capacity);
    this.head = 0;
    const tableMask = 2 * capacity - 1;
    for (let i = 0; i < count; i++) {
      const from = (head + i) & mask;
      this.ids[i] = ids[from];
      this.times[i] = times[from]!;
      const h = hashes[from]!;
      this.hashes[i] = h;
      let at = h & tableMask;
      while (this.table[2 * at] !== 0) at = (at + 1) & tableMask;
      this.table[2 * at] = i + 1;
      this.table[2 * at + 1] = h;
    }
  }
}

// FNV-1a over at most 8 of the UTF-16 code units, spread evenly over the id: event ids are 32 hex
// digits of a SHA-256, so every 4th digit already gives 32 random bits, and hashing all 32 cost a
// tenth of the engine's time. Other keys (`lmp-opening:<hash>`) still differ in the sampled places;
// ids that collide are told apart by comparing them, so a collision costs a probe, never an event.
function hashId(id: string): number {
  const n = id.length;
  const step = n >= 16 ? n >> 3 : 1;
  let h = 0x811c9dc5 ^ n;
  for (let i = step - 1; i < n; i += step) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h;
}
