import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createMapStats, readWindowsEvents, type ReadProblem, type WindowsRecord } from "../windows/index.ts";
import { eventElementToRecord } from "../windows/xml/event.ts";
import { parseXmlElement } from "../windows/xml/parse.ts";
import { readEvtx, type EvtxRecord } from "./index.ts";
import { findAttackSamples, listEvtx, pythonEvtxTime, readOracle, type OracleRecord } from "./samples.ts";

/**
 * Correctness oracle: every EVTX of the public attack samples, decoded by Vigil, must equal record
 * for record what python-evtx (an independent, widely used parser) made of it: EventRecordID,
 * EventID, TimeCreated, Computer, Channel, Provider, UserID and every EventData name and value
 * (surrounding whitespace trimmed; the oracle's null is an empty element). Times are compared
 * through python-evtx's own double arithmetic (see pythonEvtxTime), since Vigil keeps 100 ns.
 */
const ROOT = findAttackSamples();
const FILES = ROOT ? listEvtx(ROOT) : [];
const summary: string[] = [];

async function decode(file: string, xml = false) {
  const problems: ReadProblem[] = [];
  const records: EvtxRecord[] = [];
  for await (const r of readEvtx(join(ROOT!, file), { onProblem: (p) => problems.push(p), xml })) records.push(r);
  return { records, problems };
}

const text = (v: string | null | undefined) => (v ?? "").trim();
const time = (v: string) => (/^\d{4}-\d{2}-\d{2}T[\d:]{8}\.\d{7}Z$/.test(v) ? pythonEvtxTime(v) : v);

/** Field-by-field differences between one decoded record and its oracle line (empty when equal). */
function differences(ours: WindowsRecord, oracle: OracleRecord): string[] {
  const out: string[] = [];
  const same = (field: string, a: unknown, b: unknown) =>
    a !== b && out.push(`${field}: ${JSON.stringify(a)} ≠ oracle ${JSON.stringify(b)}`);
  same("EventRecordID", ours.EventRecordID, String(oracle.EventRecordID));
  same("EventID", ours.EventID, oracle.EventID);
  same("TimeCreated", pythonEvtxTime(ours.TimeCreated), oracle.TimeCreated);
  for (const field of ["Computer", "Channel", "Provider", "UserID"] as const) same(field, text(ours[field]), text(oracle[field]));
  same("EventData names", Object.keys(ours.EventData).join(","), Object.keys(oracle.EventData).join(","));
  for (const [name, value] of Object.entries(oracle.EventData)) same(`EventData.${name}`, time(text(ours.EventData[name])), text(value));
  return out;
}

describe.skipIf(!ROOT)("EVTX reader against the python-evtx oracle", () => {
  it("finds the sample EVTX files", () => {
    expect(FILES.length).toBeGreaterThanOrEqual(26);
  });

  it.each(FILES)("%s matches its oracle record for record", async (file) => {
    const oracle = readOracle(ROOT!, file);
    const { records, problems } = await decode(file);
    const mismatches: string[] = [];
    records.forEach((r, i) => {
      const expected = oracle[i];
      if (!expected) return;
      for (const d of differences(r.record, expected)) mismatches.push(`record ${r.recordId} (${i}): ${d}`);
    });
    const matched = records.filter((r, i) => oracle[i] && differences(r.record, oracle[i]).length === 0).length;
    summary.push(`${file}: ${matched}/${oracle.length} records match`);
    expect(problems).toEqual([]);
    expect(records.length).toBe(oracle.length);
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it.each(FILES)("%s maps to the same event drafts as its oracle", async (file) => {
    const stem = file
      .replace(/\.evtx$/i, "")
      .split("/")
      .join("__");
    const drafts = async (path: string) => {
      const out: unknown[] = [];
      const problems: ReadProblem[] = [];
      for await (const d of readWindowsEvents(path, {
        tenantId: "acme",
        sensorId: "replay",
        stats: createMapStats(),
        onProblem: (p) => problems.push(p),
      }))
        // Vigil keeps the 100 ns the oracle rounds away, and records which format the event came from.
        out.push({ ...d, time: pythonEvtxTime(d.time), origin: { ...d.origin, format: undefined } });
      return { out, problems: problems.map((p) => p.reason) };
    };
    const evtx = await drafts(join(ROOT!, file));
    const oracle = await drafts(join(ROOT!, "oracle", `${stem}.jsonl.gz`));
    expect(evtx.out).toEqual(oracle.out);
    expect(evtx.problems).toEqual(oracle.problems);
  });

  it.each(FILES.slice(0, 8))("%s: the XML text rendering reads back to the same record", async (file) => {
    const { records } = await decode(file, true);
    for (const r of records) {
      const reread = eventElementToRecord(parseXmlElement(r.xml!));
      expect(JSON.parse(JSON.stringify(reread).replace(/\\r\\n/g, "\\n"))).toEqual(r.record);
    }
  });

  afterAll(() => {
    if (summary.length > 0) console.log(`EVTX oracle:\n  ${summary.sort().join("\n  ")}`);
  });
});
