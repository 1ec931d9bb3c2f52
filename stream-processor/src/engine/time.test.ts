import { describe, expect, it } from "vitest";
import { parseTime } from "./time.ts";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

describe("parseTime", () => {
  it("gives Date.parse's value for every day, month and fraction form of canonical UTC times", () => {
    for (const year of [1000, 1970, 1999, 2000, 2024, 2026, 2100, 9999])
      for (let month = 0; month <= 13; month++)
        for (let day = 0; day <= 32; day++)
          for (const rest of ["00:00:00Z", "23:59:59.9Z", "12:34:56.78Z", "12:34:56.789Z", "01:02:03.9686699Z", "24:00:00Z", "23:60:00Z"]) {
            const s = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${rest}`;
            expect([s, parseTime(s)]).toEqual([s, Date.parse(s)]);
          }
  });

  it("gives Date.parse's value (NaN included) for every other shape", () => {
    const odd = [
      "",
      "2026-02-01",
      "2026-02-01T08:00Z",
      "2026-02-01T08:00:00",
      "2026-02-01T08:00:00.Z",
      "2026-02-01T08:00:00.12aZ",
      "2026-02-01T08:00:00+01:00",
      "2026-02-01T08:00:00.5-05:30",
      "2026-02-01t08:00:00Z",
      "2026-02-01T08:00:00z",
      "2026-02-01 08:00:00Z",
      "+002026-02-01T08:00:00Z",
      "0099-02-01T08:00:00Z",
      "2026-2-01T08:00:00.000Z",
      "2026-02-01T08:00:0aZ",
      "20x6-02-01T08:00:00Z",
      "Sun, 01 Feb 2026 08:00:00 GMT",
      "not a time at all, but long enough",
    ];
    for (const s of odd) expect([s, parseTime(s)]).toEqual([s, Date.parse(s)]);
  });

  it("agrees with Date.parse on random mutations of a canonical time", () => {
    const base = "2026-02-01T08:00:00.020Z";
    const chars = "0123456789-:.TZz+ ";
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      const a = [...base];
      for (let k = 0; k <= rnd(3); k++) a[rnd(a.length)] = chars[rnd(chars.length)]!;
      const s = a.join("").slice(0, 18 + rnd(8)) + (rnd(2) ? "Z" : "");
      expect([s, parseTime(s)]).toEqual([s, Date.parse(s)]);
    }
  });
});
