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
 *
 * The last slot looked up is kept beside its key: detections build keys afresh per event (`dc:${host}`),
 * and a fresh string must be flattened and hashed before the Map can find it, which costs more than
 * comparing it with the previous key. That previous key is very often the same one: read then
 * written back in one evaluation, or a DC's key asked for on every event. The last key found absent
 * is kept too (until a key is added), for keys asked for on every event that are rarely set.
 */
export class DetectionState {
  private readonly slots = new Map<string, Slot>();
  /** Least recently used slot. */
  private oldest: Slot | undefined;
  /** Most recently used slot. */
  private newest: Slot | undefined;
  /** Key and slot of the last lookup (lastSlot is cleared when that slot is removed). */
  private lastKey = "";
  private lastSlot: Slot | undefined;
  private lastMissKey: string | undefined;
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
    const slot = this.lookup(key);
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
    const slot = this.lookup(key);
    if (slot !== undefined) this.remove(slot);
  }

  private lookup(key: string): Slot | undefined {
    if (key === this.lastKey && this.lastSlot !== undefined) return this.lastSlot;
    if (key === this.lastMissKey) return undefined;
    const slot = this.slots.get(key);
    if (slot === undefined) this.lastMissKey = key;
    else {
      this.lastKey = key;
      this.lastSlot = slot;
    }
    return slot;
  }

  /** Stores a value as the most recently used one. */
  private put(key: string, expires: number, value: Json): void {
    const slot = this.lookup(key);
    if (slot === undefined) {
      const fresh: Slot = { key, expires, value, prev: undefined, next: undefined };
      this.slots.set(key, fresh);
      this.lastMissKey = undefined;
      this.append(fresh);
      this.lastKey = key;
      this.lastSlot = fresh;
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
    if (slot === this.lastSlot) this.lastSlot = undefined;
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
    const stored = this.get<E[]>(key) ?? [];
    const at = insertionPoint(stored, entry);
    this.storeWindow(key, stored, at, entry, options);
    // Measured before trimming, so an entry too late to be kept still counts with its neighbours.
    // Counted first and copied once: this runs for every windowed event of every detection.
    const from = entry.t - options.windowMs;
    const to = entry.t + options.windowMs;
    let trailing = 0;
    let leading = 0;
    for (let i = 0; i <= stored.length; i++) {
      const t = i < at ? stored[i]!.t : i === at ? entry.t : stored[i - 1]!.t;
      if (t >= from && t <= entry.t) trailing++;
      if (t >= entry.t && t <= to) leading++;
    }
    const max = options.maxEntries;
    const useLeading = Math.min(leading, max) > Math.min(trailing, max);
    // The trailing window keeps its newest maxEntries, the leading one its oldest.
    let skip = useLeading ? 0 : Math.max(0, trailing - max);
    const out: E[] = [];
    for (let i = 0; i <= stored.length && out.length < max; i++) {
      const e = i < at ? stored[i]! : i === at ? entry : stored[i - 1]!;
      if (useLeading ? e.t >= entry.t && e.t <= to : e.t >= from && e.t <= entry.t) {
        if (skip > 0) skip--;
        else out.push(e);
      }
    }
    return out;
  }

  /** pushWindow for a detection that only records: the same stored window, without the answer. */
  appendWindow<E extends WindowEntry>(key: string, entry: E, options: WindowOptions): void {
    const stored = this.get<E[]>(key) ?? [];
    this.storeWindow(key, stored, insertionPoint(stored, entry), entry, options);
  }

  /**
   * Stores stored + entry (inserted at `at`, keeping time order) without the entries older than
   * newest - window - lateness, and at most maxEntries of the newest: one copy, the stored array
   * itself is left alone (a detection may still hold it).
   */
  private storeWindow<E extends WindowEntry>(key: string, stored: E[], at: number, entry: E, options: WindowOptions): void {
    const n = stored.length + 1;
    const newest = at === stored.length ? entry.t : stored[stored.length - 1]!.t;
    const horizon = newest - options.windowMs - options.latenessMs;
    let drop = 0;
    while (drop < n && (drop < at ? stored[drop]!.t : drop === at ? entry.t : stored[drop - 1]!.t) < horizon) drop++;
    drop = Math.max(drop, n - options.maxEntries);
    const kept: E[] = [];
    for (let i = drop; i < n; i++) kept.push(i < at ? stored[i]! : i === at ? entry : stored[i - 1]!);
    this.put(key, newest + options.windowMs + options.latenessMs, kept);
    this.sweep();
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

/** Where an entry goes in a time-ordered window: after every entry not newer than it. */
function insertionPoint(entries: readonly WindowEntry[], entry: WindowEntry): number {
  let at = entries.length;
  while (at > 0 && entries[at - 1]!.t > entry.t) at--;
  return at;
}

/**
 * A key builder for one prefix that hands back the same string while the part is the same: keys of
 * the few hosts asked about on every event (a DC's `dc:` / `pending:` keys) are then found by a
 * pointer comparison instead of being built, flattened and hashed again for every event.
 */
export function prefixedKey(prefix: string): (part: string) => string {
  let lastPart: string | undefined;
  let lastKey = "";
  return (part) => {
    if (part !== lastPart) {
      lastPart = part;
      lastKey = prefix + part;
    }
    return lastKey;
  };
}
