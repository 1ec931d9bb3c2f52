/** A JSON value; state holds only these so it snapshots to plain JSON. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One timed item of a sliding window; `t` is event time in ms, `id` the event id. */
export interface WindowEntry {
  t: number;
  id: string;
  [field: string]: Json;
}

/** How a sliding window is kept: its length, how late events may be, and at most how many entries. */
export interface WindowOptions {
  windowMs: number;
  latenessMs: number;
  maxEntries: number;
}

/** Plain-JSON form of one detection's state for one tenant. */
export interface StateSnapshot {
  since: number | null;
  watermark: number | null;
  /** [key, expiresAt, value] in least- to most-recently-used order, so LRU order survives a restore. */
  entries: [string, number, Json][];
}

/** One key's value in the LRU list: `prev` is the next older slot, `next` the next newer one. */
interface Slot {
  key: string;
  expires: number;
  value: Json;
  prev: Slot | undefined;
  next: Slot | undefined;
}

// Expired keys are dropped from the LRU front a few at a time on each write, so no write pays for a
// long sweep; `get` also refuses expired keys, so correctness never depends on the sweep.
const SWEEP_PER_WRITE = 8;

/**
 * State of one detection for one tenant: a key → JSON map bounded by a key count (least recently
 * used goes first) and by per-key expiry on event time. The engine advances `now` to each event's
 * time before calling the detection; nothing here reads the clock.
 *
 * Recency is a doubly linked list threaded through the slots (oldest first), not the Map's own
 * insertion order: a touch then relinks two pointers instead of a delete + re-insert, which costs two
 * more hash lookups and leaves a hole that the Map's iteration (and rehash) must walk later. Every
 * detection reads several keys per event, so this is the engine's hottest path.
 */
export class DetectionState {
  private readonly slots = new Map<string, Slot>();
  /** Least recently used slot. */
  private oldest: Slot | undefined;
  /** Most recently used slot. */
  private newest: Slot | undefined;
  /** Event time of the event being evaluated (ms). */
  now = 0;
  /** Highest event time seen; expiry is measured against it so it never moves backwards. */
  watermark = Number.NEGATIVE_INFINITY;
  /** Event time of the earliest event this detection saw for the tenant: the start of its baseline. */
  since: number | undefined;

  constructor(readonly maxKeys: number) {}

  /** Moves the state to an event's time (called by the engine). */
  advance(time: number): void {
    this.now = time;
    if (time > this.watermark) this.watermark = time;
    if (this.since === undefined || time < this.since) this.since = time;
  }

  /** Number of live keys (bounded by maxKeys). */
  get size(): number {
    return this.slots.size;
  }

  /** The value under a key, or undefined when absent or expired; reading marks it recently used. */
  get<T extends Json>(key: string): T | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.expires < this.watermark) {
      this.remove(slot);
      return undefined;
    }
    if (slot !== this.newest) {
      this.unlink(slot);
      this.append(slot);
    }
    return slot.value as T;
  }

  /** Stores a value that expires ttlMs of event time after now. */
  set(key: string, value: Json, ttlMs: number): void {
    this.put(key, this.now + ttlMs, value);
    this.sweep();
  }

  delete(key: string): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) this.remove(slot);
  }

  /** Stores a value as the most recently used one. */
  private put(key: string, expires: number, value: Json): void {
    const slot = this.slots.get(key);
    if (slot === undefined) {
      const fresh: Slot = { key, expires, value, prev: undefined, next: undefined };
      this.slots.set(key, fresh);
      this.append(fresh);
      return;
    }
    slot.expires = expires;
    slot.value = value;
    if (slot !== this.newest) {
      this.unlink(slot);
      this.append(slot);
    }
  }

  private remove(slot: Slot): void {
    this.slots.delete(slot.key);
    this.unlink(slot);
  }

  private unlink(slot: Slot): void {
    if (slot.prev === undefined) this.oldest = slot.next;
    else slot.prev.next = slot.next;
    if (slot.next === undefined) this.newest = slot.prev;
    else slot.next.prev = slot.prev;
    slot.prev = undefined;
    slot.next = undefined;
  }

  private append(slot: Slot): void {
    slot.prev = this.newest;
    if (this.newest === undefined) this.oldest = slot;
    else this.newest.next = slot;
    this.newest = slot;
  }

  /**
   * Adds an entry to the sliding window under key and returns the entries that share a window with
   * it: the denser of the window ending at the entry and the one starting at it. In order, that is
   * the usual trailing window; a late event also completes the window that had already moved past
   * it, so a few minutes of disorder does not hide a burst.
   */
  pushWindow<E extends WindowEntry>(key: string, entry: E, options: WindowOptions): E[] {
    const stored = this.get<E[]>(key);
    const entries = stored === undefined ? [] : stored.slice();
    let at = entries.length;
    while (at > 0 && entries[at - 1]!.t > entry.t) at--;
    if (at === entries.length) entries.push(entry);
    else entries.splice(at, 0, entry);
    const newest = entries[entries.length - 1]!.t;
    const horizon = newest - options.windowMs - options.latenessMs;
    let drop = 0;
    while (drop < entries.length && entries[drop]!.t < horizon) drop++;
    drop = Math.max(drop, entries.length - options.maxEntries);
    const kept = drop > 0 ? entries.slice(drop) : entries;
    this.put(key, newest + options.windowMs + options.latenessMs, kept);
    this.sweep();
    // Measured before trimming, so an entry too late to be kept still counts with its neighbours.
    // One pass for both windows (this runs for every windowed event of every detection).
    let trailing: E[] = [];
    let leading: E[] = [];
    const from = entry.t - options.windowMs;
    const to = entry.t + options.windowMs;
    for (const e of entries) {
      if (e.t >= from && e.t <= entry.t) trailing.push(e);
      if (e.t >= entry.t && e.t <= to) leading.push(e);
    }
    if (trailing.length > options.maxEntries) trailing = trailing.slice(-options.maxEntries);
    if (leading.length > options.maxEntries) leading = leading.slice(0, options.maxEntries);
    return leading.length > trailing.length ? leading : trailing;
  }

  /** True the first time a key is seen (then remembered for ttlMs); false while it is remembered. */
  firstSeen(key: string, ttlMs: number): boolean {
    const seen = this.get<number>(key) !== undefined;
    this.set(key, this.now, ttlMs);
    return !seen;
  }

  /** Copies the state to plain JSON. */
  snapshot(): StateSnapshot {
    const entries: [string, number, Json][] = [];
    // Expired slots are kept too: they still hold LRU places, and a restored state must evict exactly
    // what the uninterrupted one would.
    for (let slot = this.oldest; slot !== undefined; slot = slot.next) entries.push([slot.key, slot.expires, structuredClone(slot.value)]);
    return { since: this.since ?? null, watermark: Number.isFinite(this.watermark) ? this.watermark : null, entries };
  }

  /** Rebuilds a state from its snapshot, keeping LRU order, expiry and baseline start. */
  static restore(snapshot: StateSnapshot, maxKeys: number): DetectionState {
    const state = new DetectionState(maxKeys);
    state.since = snapshot.since ?? undefined;
    state.watermark = snapshot.watermark ?? Number.NEGATIVE_INFINITY;
    state.now = snapshot.watermark ?? 0;
    for (const [key, expires, value] of snapshot.entries) state.put(key, expires, structuredClone(value));
    while (state.slots.size > maxKeys) state.remove(state.oldest!);
    return state;
  }

  private sweep(): void {
    while (this.slots.size > this.maxKeys) this.remove(this.oldest!);
    for (let budget = SWEEP_PER_WRITE; budget > 0 && this.oldest !== undefined && this.oldest.expires < this.watermark; budget--) {
      this.remove(this.oldest);
    }
  }
}
