// Event times are ISO 8601 UTC strings (`2026-02-01T08:00:00.020Z`, sometimes with 7 fraction
// digits from Windows), parsed at least once per event. Date.parse takes ~200 ns on them, a
// noticeable share of the engine's per-event budget; the canonical form is read here digit by digit
// and anything else (offsets, no seconds, out-of-range fields…) goes to Date.parse, so the result is
// always Date.parse's (time.test.ts checks the two agree).

const ZERO = 48;

// The number written by `count` digits at `from`; BAD (above every field's range) if one is not a digit.
const BAD = 1e9;
function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return BAD;
    n = n * 10 + d;
  }
  return n;
}

// The engine parses an event's time, then detections and context ask for the very same string again.
let lastIso = "";
let lastMs = Number.NaN;

/** Milliseconds since the epoch of an ISO 8601 time, exactly as Date.parse gives it (NaN when invalid). */
export function parseTime(iso: string): number {
  if (iso === lastIso) return lastMs;
  const ms = parseUncached(iso);
  lastIso = iso;
  lastMs = ms;
  return ms;
}

function parseUncached(iso: string): number {
  // YYYY-MM-DDTHH:MM:SS then Z, or a fraction and Z.
  if (iso.length < 20 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45 || iso.charCodeAt(10) !== 84) return Date.parse(iso);
  if (iso.charCodeAt(13) !== 58 || iso.charCodeAt(16) !== 58 || iso.charCodeAt(iso.length - 1) !== 90) return Date.parse(iso);
  const year = digits(iso, 0, 4);
  const month = digits(iso, 5, 2);
  const day = digits(iso, 8, 2);
  const hour = digits(iso, 11, 2);
  const minute = digits(iso, 14, 2);
  const second = digits(iso, 17, 2);
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return Date.parse(iso);
  let ms = 0;
  if (iso.length > 20) {
    // A fraction: `.` then at least one digit; milliseconds are its first three digits.
    const end = iso.length - 1;
    if (iso.charCodeAt(19) !== 46 || end === 20) return Date.parse(iso);
    for (let i = 20; i < end; i++) {
      const d = iso.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) return Date.parse(iso);
      if (i < 23) ms += d * (i === 20 ? 100 : i === 21 ? 10 : 1);
    }
  }
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
}

// Days since 1970-01-01 of a proleptic Gregorian date (the well-known era arithmetic: years start in
// March so the leap day is last); plain integer math, unlike Date.UTC's generic path. A day past the
// month's end rolls over, as Date.parse does.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
