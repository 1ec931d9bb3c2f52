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
  prefix: string;
  part: string;
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
 * A key is given in two parts, a constant prefix ending in `:` (`kerb:`) and the entity it is about
 * (`alice`); a key of one word (`samples`) is that word and the part "". Its flat form, prefix + part,
 * is what snapshots hold, and it splits back at its first `:`. Why two parts: the entity string is
 * the same object for every detection routed an event (the normalizers and key helpers hand back
 * their last answer), so its hash, computed by the first Map lookup, is cached in the string; a key
 * built as `kerb:${name}` is a fresh string per detection per event, flattened and hashed each time,
 * which was the engine's single hottest spot.
 *
 * Recency is a doubly linked list threaded through the slots (oldest first), not the Map's own
 * insertion order: a touch then relinks two pointers instead of a delete + re-insert, which costs two
 * more hash lookups and leaves a hole that the Map's iteration (and rehash) must walk later.
 *
 * The last slot looked up is kept beside its key parts, and the last key found absent too (until a
 * key is added): a detection very often reads a key and writes it back, or asks for the same DC's key
 * on every event, and comparing with the previous parts is cheaper than probing the Map.
 */
export class DetectionState {
  /** Slots by prefix, then by part. */
  private readonly byPrefix = new Map<string, Map<string, Slot>>();
  private count = 0;
  /** Least recently used slot. */
  private oldest: Slot | undefined;
  /** Most recently used slot. */
  private newest: Slot | undefined;
  /** Parts and slot of the last lookup (lastSlot is cleared when that slot is removed). */
  private lastPrefix = "";
  private lastPart = "";
  private lastSlot: Slot | undefined;
  private missPrefix: string | undefined;
  private missPart: string | undefined;
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
    return this.count;
  }

  /** The value under prefix + part, or undefined when absent or expired; reading marks it recently used. */
  get<T extends Json>(prefix: string, part: string): T | undefined {
    const slot = this.lookup(prefix, part);
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

  /**
   * False when no key under the prefix is held: a get under it would find nothing, so a detection
   * can skip building the part and probing for the many events of entities it never noted.
   */
  holds(prefix: string): boolean {
    const slots = this.byPrefix.get(prefix);
    return slots !== undefined && slots.size > 0;
  }

  /** Stores a value under prefix + part that expires ttlMs of event time after now. */
  set(prefix: string, part: string, value: Json, ttlMs: number): void {
    this.put(prefix, part, this.now + ttlMs, value);
    this.sweep();
  }

  delete(prefix: string, part: string): void {
    const slot = this.lookup(prefix, part);
    if (slot !== undefined) this.remove(slot);
  }

  private lookup(prefix: string, part: string): Slot | undefined {
    if (part === this.lastPart && prefix === this.lastPrefix && this.lastSlot !== undefined) return this.lastSlot;
    if (part === this.missPart && prefix === this.missPrefix) return undefined;
    const slot = this.byPrefix.get(prefix)?.get(part);
    if (slot === undefined) {
      this.missPrefix = prefix;
      this.missPart = part;
    } else {
      this.lastPrefix = prefix;
      this.lastPart = part;
      this.lastSlot = slot;
    }
    return slot;
  }

  /** Stores a value as the most recently used one. */
  private put(prefix: string, part: string, expires: number, value: Json): void {
    const slot = this.lookup(prefix, part);
    if (slot === undefined) {
      const fresh: Slot = { prefix, part, expires, value, prev: undefined, next: undefined };
      checkKey(prefix, part);
      let slots = this.byPrefix.get(prefix);
      if (slots === undefined) this.byPrefix.set(prefix, (slots = new Map()));
      slots.set(part, fresh);
      this.count++;
      this.missPart = undefined;
      this.append(fresh);
      this.lastPrefix = prefix;
      this.lastPart = part;
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
    this.byPrefix.get(slot.prefix)!.delete(slot.part);
    this.count--;
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
  pushWindow<E extends WindowEntry>(prefix: string, part: string, entry: E, options: WindowOptions): E[] {
    const entries = this.insert<E>(prefix, part, entry);
    // Measured before trimming, so an entry too late to be kept still counts with its neighbours.
    // Counted first and copied once: this runs for every windowed event of every detection.
    const from = entry.t - options.windowMs;
    const to = entry.t + options.windowMs;
    let trailing = 0;
    let leading = 0;
    for (const { t } of entries) {
      if (t >= from && t <= entry.t) trailing++;
      if (t >= entry.t && t <= to) leading++;
    }
    const max = options.maxEntries;
    const useLeading = Math.min(leading, max) > Math.min(trailing, max);
    // The trailing window keeps its newest maxEntries, the leading one its oldest.
    let skip = useLeading ? 0 : Math.max(0, trailing - max);
    const out: E[] = [];
    for (let i = 0; i < entries.length && out.length < max; i++) {
      const e = entries[i]!;
      if (useLeading ? e.t >= entry.t && e.t <= to : e.t >= from && e.t <= entry.t) {
        if (skip > 0) skip--;
        else out.push(e);
      }
    }
    this.trim(prefix, part, entries, options);
    return out;
  }

  /** pushWindow for a detection that only records: the same stored window, without the answer. */
  appendWindow<E extends WindowEntry>(prefix: string, part: string, entry: E, options: WindowOptions): void {
    this.trim(prefix, part, this.insert<E>(prefix, part, entry), options);
  }

  /**
   * The stored window with entry inserted in time order (after every entry not newer than it). In
   * place: a window is only ever held by its state between events (snapshots copy it), and copying
   * it on every event was most of what windowed detections cost.
   */
  private insert<E extends WindowEntry>(prefix: string, part: string, entry: E): E[] {
    const entries = this.get<E[]>(prefix, part) ?? [];
    let at = entries.length;
    while (at > 0 && entries[at - 1]!.t > entry.t) at--;
    if (at === entries.length) entries.push(entry);
    else entries.splice(at, 0, entry);
    return entries;
  }

  /**
   * Stores a window without the entries older than newest - window - lateness, and at most
   * maxEntries of the newest.
   */
  private trim<E extends WindowEntry>(prefix: string, part: string, entries: E[], options: WindowOptions): void {
    const newest = entries[entries.length - 1]!.t;
    const horizon = newest - options.windowMs - options.latenessMs;
    let drop = 0;
    while (drop < entries.length && entries[drop]!.t < horizon) drop++;
    drop = Math.max(drop, entries.length - options.maxEntries);
    if (drop > 0) entries.splice(0, drop);
    this.put(prefix, part, newest + options.windowMs + options.latenessMs, entries);
    this.sweep();
  }

  /** True the first time a key is seen (then remembered for ttlMs); false while it is remembered. */
  firstSeen(prefix: string, part: string, ttlMs: number): boolean {
    const seen = this.get<number>(prefix, part) !== undefined;
    this.set(prefix, part, this.now, ttlMs);
    return !seen;
  }

  /** Copies the state to plain JSON. */
  snapshot(): StateSnapshot {
    const entries: [string, number, Json][] = [];
    // Expired slots are kept too: they still hold LRU places, and a restored state must evict exactly
    // what the uninterrupted one would.
    for (let slot = this.oldest; slot !== undefined; slot = slot.next) {
      entries.push([slot.prefix + slot.part, slot.expires, structuredClone(slot.value)]);
    }
    return { since: this.since ?? null, watermark: Number.isFinite(this.watermark) ? this.watermark : null, entries };
  }

  /** Rebuilds a state from its snapshot, keeping LRU order, expiry and baseline start. */
  static restore(snapshot: StateSnapshot, maxKeys: number): DetectionState {
    const state = new DetectionState(maxKeys);
    state.since = snapshot.since ?? undefined;
    state.watermark = snapshot.watermark ?? Number.NEGATIVE_INFINITY;
    state.now = snapshot.watermark ?? 0;
    for (const [key, expires, value] of snapshot.entries) {
      const colon = key.indexOf(":");
      const [prefix, part] = colon < 0 ? [key, ""] : [key.slice(0, colon + 1), key.slice(colon + 1)];
      state.put(prefix, part, expires, structuredClone(value));
    }
    while (state.count > maxKeys) state.remove(state.oldest!);
    return state;
  }

  private sweep(): void {
    while (this.count > this.maxKeys) this.remove(this.oldest!);
    for (let budget = SWEEP_PER_WRITE; budget > 0 && this.oldest !== undefined && this.oldest.expires < this.watermark; budget--) {
      this.remove(this.oldest);
    }
  }
}

/**
 * A prefix is one word ending in its only `:`, or a whole one-word key with the part "": so that a
 * snapshot's flat key splits back at its first `:` into the same two parts. Checked per new key.
 */
function checkKey(prefix: string, part: string): void {
  const colon = prefix.indexOf(":");
  if (colon < 0 ? part !== "" : colon !== prefix.length - 1) {
    throw new Error(`state key prefix ${JSON.stringify(prefix)} must end in its only ":" (or be a whole key with the part "")`);
  }
}
