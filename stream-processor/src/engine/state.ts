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

interface Slot {
  expires: number;
  value: Json;
}

// Expired keys are dropped from the LRU front a few at a time on each write, so no write pays for a
// long sweep; `get` also refuses expired keys, so correctness never depends on the sweep.
const SWEEP_PER_WRITE = 8;

/**
 * State of one detection for one tenant: a key → JSON map bounded by a key count (least recently
 * used goes first) and by per-key expiry on event time. The engine advances `now` to each event's
 * time before calling the detection; nothing here reads the clock.
 */
export class DetectionState {
  private readonly slots = new Map<string, Slot>();
  /**
   * The most recently used key (last in `slots`), or undefined when not known. Touching it again
   * needs no delete + re-insert to move it last: it already is (and each delete leaves a hole that
   * iteration from the front has to walk).
   */
  private mru: string | undefined;
  /** A lower bound of every slot's expiry: while it is not below the watermark, nothing has expired. */
  private minExpires = Number.POSITIVE_INFINITY;
  /**
   * A live iterator over `slots` that never passes a live slot, and the key it last gave (the first
   * key in `slots`) until that key is moved or removed. Finding the oldest key then resumes where the
   * last search stopped: a fresh iterator starts at the map's beginning and walks every hole that
   * deletes and moves leave there, which made each sweep cost up to the map's capacity.
   */
  private cursor: Iterator<string> | undefined;
  private front: string | undefined;
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
    if (!slot) return undefined;
    if (slot.expires < this.watermark) {
      this.remove(key);
      return undefined;
    }
    if (key !== this.mru) {
      this.slots.delete(key);
      this.slots.set(key, slot);
      this.mru = key;
      if (key === this.front) this.front = undefined;
    }
    return slot.value as T;
  }

  /** Stores a value that expires ttlMs of event time after now. */
  set(key: string, value: Json, ttlMs: number): void {
    this.put(key, { expires: this.now + ttlMs, value });
    this.sweep();
  }

  delete(key: string): void {
    this.remove(key);
  }

  /** Stores a slot as the most recently used one. */
  private put(key: string, slot: Slot): void {
    // Map.set on an existing key keeps its place; for the last key that place is already the end.
    if (key !== this.mru) {
      this.slots.delete(key);
      this.mru = key;
      if (key === this.front) this.front = undefined;
    }
    this.slots.set(key, slot);
    if (slot.expires < this.minExpires) this.minExpires = slot.expires;
  }

  private remove(key: string): void {
    this.slots.delete(key);
    if (key === this.mru) this.mru = undefined;
    if (key === this.front) this.front = undefined;
  }

  /**
   * Adds an entry to the sliding window under key and returns the entries that share a window with
   * it: the denser of the window ending at the entry and the one starting at it. In order, that is
   * the usual trailing window; a late event also completes the window that had already moved past
   * it, so a few minutes of disorder does not hide a burst.
   */
  pushWindow<E extends WindowEntry>(key: string, entry: E, options: WindowOptions): E[] {
    const entries = [...(this.get<E[]>(key) ?? [])];
    let at = entries.length;
    while (at > 0 && entries[at - 1]!.t > entry.t) at--;
    entries.splice(at, 0, entry);
    const newest = entries[entries.length - 1]!.t;
    const horizon = newest - options.windowMs - options.latenessMs;
    let drop = 0;
    while (drop < entries.length && entries[drop]!.t < horizon) drop++;
    drop = Math.max(drop, entries.length - options.maxEntries);
    const kept = drop > 0 ? entries.slice(drop) : entries;
    this.put(key, { expires: newest + options.windowMs + options.latenessMs, value: kept });
    this.sweep();
    // Measured before trimming, so an entry too late to be kept still counts with its neighbours.
    const trailing = entries.filter((e) => e.t >= entry.t - options.windowMs && e.t <= entry.t).slice(-options.maxEntries);
    const leading = entries.filter((e) => e.t >= entry.t && e.t <= entry.t + options.windowMs).slice(0, options.maxEntries);
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
    for (const [key, slot] of this.slots) entries.push([key, slot.expires, structuredClone(slot.value)]);
    return { since: this.since ?? null, watermark: Number.isFinite(this.watermark) ? this.watermark : null, entries };
  }

  /** Rebuilds a state from its snapshot, keeping LRU order, expiry and baseline start. */
  static restore(snapshot: StateSnapshot, maxKeys: number): DetectionState {
    const state = new DetectionState(maxKeys);
    state.since = snapshot.since ?? undefined;
    state.watermark = snapshot.watermark ?? Number.NEGATIVE_INFINITY;
    state.now = snapshot.watermark ?? 0;
    for (const [key, expires, value] of snapshot.entries) {
      state.slots.set(key, { expires, value: structuredClone(value) });
      if (expires < state.minExpires) state.minExpires = expires;
    }
    state.mru = undefined;
    while (state.slots.size > maxKeys) state.evictOldest();
    return state;
  }

  private sweep(): void {
    while (this.slots.size > this.maxKeys) this.evictOldest();
    // Nothing can have expired: the loop below would stop at its first slot.
    if (this.minExpires >= this.watermark) return;
    let budget = SWEEP_PER_WRITE;
    let swept = 0;
    for (let key = this.oldest(); key !== undefined; key = this.oldest()) {
      if (budget-- <= 0 || this.slots.get(key)!.expires >= this.watermark) break;
      this.remove(key);
      swept++;
    }
    if (swept < SWEEP_PER_WRITE && this.slots.size <= SWEEP_PER_WRITE) {
      // Small enough to recompute the bound exactly.
      this.minExpires = Number.POSITIVE_INFINITY;
      for (const slot of this.slots.values()) if (slot.expires < this.minExpires) this.minExpires = slot.expires;
    }
  }

  private evictOldest(): void {
    const oldest = this.oldest();
    if (oldest !== undefined) this.remove(oldest);
  }

  /** The least recently used key (first in `slots`), or undefined when empty. */
  private oldest(): string | undefined {
    if (this.front !== undefined) return this.front;
    // Every slot before the cursor is gone (removed, or moved to the end), so its next is the first.
    this.cursor ??= this.slots.keys();
    const next = this.cursor.next();
    if (next.done) {
      // A finished iterator stays finished; start over once keys are added again.
      this.cursor = undefined;
      return undefined;
    }
    this.front = next.value;
    return this.front;
  }
}
