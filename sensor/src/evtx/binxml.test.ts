import { describe, expect, it } from "vitest";
import { ChunkWriter } from "./binxml-writer.ts";
import { decodeChunk, type ChunkItem } from "./chunk.ts";
import { VT } from "./values.ts";

/**
 * BinXML structures the real samples do not exercise: elements without templates, CDATA,
 * character and entity references, PIs, templates referenced by offset, optional substitutions,
 * nested BinXML values (UserData), and hostile input: self-containing templates, exponential
 * template expansion, absurd counts and offsets.
 */
const str = (s: string): [number, Buffer] => [VT.String, Buffer.from(s, "utf16le")];
const u16 = (n: number): [number, Buffer] => [VT.UInt16, Buffer.from([n & 0xff, n >> 8])];
const u64 = (n: bigint): [number, Buffer] => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return [VT.UInt64, b];
};
const NULL: [number, Buffer] = [VT.Null, Buffer.alloc(0)];
const TIME: [number, Buffer] = [VT.FileTime, Buffer.from("93c7ea1fc48dd501", "hex")];

/** The System part every test event needs, from substitutions 0..4, then `data` as EventData. */
function eventTemplate(w: ChunkWriter, data: () => void, userId = 5) {
  return () => {
    w.fragment();
    w.element("Event", [["xmlns", () => w.text("http://schemas.microsoft.com/win/2004/08/events/event")]], () => {
      w.element("System", [], () => {
        w.element("Provider", [["Name", () => w.sub(0, VT.String)]], null);
        w.element("EventID", [], () => w.sub(1, VT.UInt16));
        w.element("TimeCreated", [["SystemTime", () => w.sub(2, VT.FileTime)]], null);
        w.element("EventRecordID", [], () => w.sub(3, VT.UInt64));
        w.element("Computer", [], () => w.sub(4, VT.String));
        w.element("Security", [["UserID", () => w.sub(userId, VT.Sid, true)]], null);
      });
      data();
    });
    w.u8(0x00);
  };
}
const system = (id: number, record: bigint) => [str("Test-Provider"), u16(id), TIME, u64(record), str("DC1")];

function decode(w: ChunkWriter, xml = false): ChunkItem[] {
  return [...decodeChunk(w.finish(), { index: 0, xml })];
}
const recordsOf = (items: ChunkItem[]) => items.flatMap((i) => (i.kind === "record" ? [i.record] : []));
const problemsOf = (items: ChunkItem[]) => items.flatMap((i) => (i.kind === "problem" ? [i.reason] : []));

describe("BinXML decoding", () => {
  it("a template defined inline, then reused by offset; a missing optional value drops its attribute", () => {
    const w = new ChunkWriter();
    let template = 0;
    const data = () =>
      w.element("EventData", [], () => w.element("Data", [["Name", () => w.text("TargetUserName")]], () => w.sub(6, VT.String, true)));
    w.record(1n, () => {
      w.fragment();
      template = w.instance(eventTemplate(w, data), [...system(4624, 100n), NULL, str("alice")]);
      w.u8(0);
    });
    w.record(2n, () => {
      w.fragment();
      w.instance(template, [...system(4625, 101n), NULL, NULL]);
      w.u8(0);
    });
    const items = decode(w, true);
    expect(problemsOf(items)).toEqual([]);
    expect(recordsOf(items)).toEqual([
      {
        EventID: 4624,
        TimeCreated: "2019-10-28T19:15:56.5884307Z",
        EventRecordID: "100",
        Computer: "DC1",
        Provider: "Test-Provider",
        EventData: { TargetUserName: "alice" },
      },
      {
        EventID: 4625,
        TimeCreated: "2019-10-28T19:15:56.5884307Z",
        EventRecordID: "101",
        Computer: "DC1",
        Provider: "Test-Provider",
        EventData: { TargetUserName: "" },
      },
    ]);
    expect(items[1]!.kind === "record" && items[1]!.xml).toContain(
      '<Security/></System><EventData><Data Name="TargetUserName"/></EventData>',
    );
  });

  it("elements without a template, CDATA, character and entity references, a PI", () => {
    const w = new ChunkWriter();
    w.record(7n, () => {
      w.pi("xml-stylesheet", 'href="x"');
      w.fragment();
      w.element("Event", [], () => {
        w.element("System", [], () => {
          w.element("EventID", [], () => w.text("4720"));
          w.element("TimeCreated", [["SystemTime", () => w.text("2021-01-02T03:04:05.1234567Z")]], null);
        });
        w.element("EventData", [], () => {
          w.element("Data", [["Name", () => w.text("A")]], () => (w.text("x", true), w.charRef(0x26), w.entityRef("lt"), w.text("y")));
          w.element("Data", [["Name", () => w.text("B")]], () => w.cdata("<raw & text>"));
          w.element("Data", [], () => w.text("unnamed"));
        });
      });
      w.u8(0);
    });
    const items = decode(w, true);
    expect(problemsOf(items)).toEqual([]);
    expect(recordsOf(items)).toEqual([
      {
        EventID: 4720,
        TimeCreated: "2021-01-02T03:04:05.1234567Z",
        EventRecordID: "7",
        EventData: { A: "x&<y", B: "<raw & text>", Data_2: "unnamed" },
      },
    ]);
    const xml = items[0]!.kind === "record" ? items[0]!.xml : "";
    expect(xml).toMatch(/^<\?xml-stylesheet href="x"\?><Event>/);
    expect(xml).toContain('<Data Name="A">x&amp;&lt;y</Data><Data Name="B"><![CDATA[<raw & text>]]></Data>');
  });

  it("UserData as a nested BinXML value, with and without a fragment header", () => {
    const w = new ChunkWriter();
    const user = () => w.element("UserData", [], () => w.sub(6, VT.BinXml));
    // A nested value's names are chunk offsets, so it is written in place as the last value.
    const instance = (template: number, record: bigint, nested: () => void) => {
      const fixed = [...system(1102, record), NULL];
      w.u8(0x0c);
      w.u8(1);
      w.u32(0);
      w.u32(template);
      w.u32(fixed.length + 1);
      for (const [type, b] of fixed) {
        w.u16(b.length);
        w.u8(type);
        w.u8(0);
      }
      const sizeAt = w.pos;
      w.u16(0);
      w.u8(VT.BinXml);
      w.u8(0);
      for (const [, b] of fixed) w.pos += b.copy(w.buf, w.pos);
      const start = w.pos;
      nested();
      w.buf.writeUInt16LE(w.pos - start, sizeAt);
    };
    let template = 0;
    w.record(1n, () => {
      w.fragment();
      template = w.instance(eventTemplate(w, user), [...system(1102, 1n), NULL, [VT.Null, Buffer.alloc(0)]]);
      w.u8(0);
    });
    w.record(2n, () => {
      w.fragment();
      instance(
        template,
        2n,
        () => (w.fragment(), w.element("LogFileCleared", [], () => w.element("SubjectUserName", [], () => w.text("alice"))), w.u8(0)),
      );
      w.u8(0);
    });
    w.record(3n, () => {
      w.fragment();
      instance(template, 3n, () => w.element("LogFileCleared", [], () => w.element("SubjectUserName", [], () => w.text("bob")), false));
      w.u8(0);
    });
    const items = decode(w);
    expect(problemsOf(items)).toEqual([]);
    expect(recordsOf(items).map((r) => r.EventData)).toEqual([{}, { SubjectUserName: "alice" }, { SubjectUserName: "bob" }]);
  });

  it("hostile templates fail their record only: self-containing, exponential, absurd counts and offsets", () => {
    const w = new ChunkWriter();
    // A template whose body instantiates itself.
    w.record(1n, () => {
      w.fragment();
      const self = w.pos + 10;
      w.instance(() => (w.fragment(), w.element("Event", [], () => w.instance(self, [])), w.u8(0)), []);
    });
    // Ten levels of templates, each instantiating the previous one ten times: 10^10 nodes from a few hundred bytes.
    w.record(2n, () => {
      let previous = w.instance(() => (w.fragment(), w.element("x", [], null), w.u8(0)), []);
      for (let level = 0; level < 10; level++) {
        const inner = previous;
        previous = w.instance(
          () => (w.fragment(), w.element("y", [], () => Array.from({ length: 10 }, () => w.instance(inner, []))), w.u8(0)),
          [],
        );
      }
    });
    // An empty inline template whose instance claims four billion values.
    w.record(
      3n,
      () => (w.fragment(), w.u8(0x0c), w.u8(1), w.u32(0), w.u32(w.pos + 4), w.u32(0), (w.pos += 16), w.u32(0), w.u32(0xffffffff)),
    );
    // An element whose name offset points outside the chunk.
    w.record(
      4n,
      () => (w.fragment(), w.element("Event", [], () => (w.u8(0x01), w.u16(0xffff), w.u32(5), w.u32(0xfffe), w.u8(0x03))), w.u8(0)),
    );
    w.record(5n, () => (w.fragment(), w.instance(0x20, []), w.u8(0)));
    const problems = problemsOf(decode(w));
    expect(problems).toEqual([
      expect.stringMatching(/^chunk 0, record 1: BinXML damaged: template at 0x[0-9a-f]+ contains itself$/),
      "chunk 0, record 2: BinXML damaged: record expands beyond 200000 nodes",
      "chunk 0, record 3: BinXML damaged: template instance claims 4294967295 values",
      expect.stringMatching(/^chunk 0, record 4: BinXML damaged: name offset 0xfffe outside the chunk's records$/),
      "chunk 0, record 5: BinXML damaged: template offset 0x20 outside the chunk's records",
    ]);
  });
});
