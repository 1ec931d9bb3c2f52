import { describe, expect, it } from "vitest";
import type { AlertPayload } from "../sinks/alert-writer.ts";
import { allDetections } from "../detections/index.ts";
import { alertClassOf } from "./alert-classes.ts";
import { cefTime, escapeExtension, escapeHeader, formatCef, parseCef } from "./cef.ts";
import { CefFormatError } from "./errors.ts";
import { alertRecord, healthRecord } from "./records.ts";
import { headerToken, octetFrame, syslogMessage } from "./syslog.ts";

const record = (extensions: [string, string | number | undefined][], over: Partial<Parameters<typeof formatCef>[0]> = {}) => ({
  vendor: "Vigil",
  product: "Vigil ITDR",
  version: "0.1.0",
  classId: "BruteForceSecurityAlert",
  name: "Brute force",
  severity: 5,
  extensions,
  ...over,
});

describe("CEF escaping", () => {
  it.each([
    ["plain", "plain"],
    ["a|b", "a\\|b"],
    ["back\\slash", "back\\\\slash"],
    ["line\nbreak", "line break"],
    ["crlf\r\nend", "crlf end"],
    ["both \\| at once", "both \\\\\\| at once"],
  ])("header %j → %j", (input, expected) => expect(escapeHeader(input)).toBe(expected));

  it.each([
    ["plain text", "plain text"],
    ["a=b", "a\\=b"],
    ["c:\\temp", "c:\\\\temp"],
    ["two\nlines", "two\\nlines"],
    ["cr\rx", "cr\\rx"],
    ["pipe | stays", "pipe | stays"],
  ])("extension %j → %j", (input, expected) => expect(escapeExtension(input)).toBe(expected));

  it("escapes colons only where MDI does (the URL field)", () => {
    const line = formatCef(
      record([
        ["msg", "a:b"],
        ["cs1Label", "url"],
        ["cs1", "https://x/alerts/1"],
      ]),
    );
    expect(line).toContain("msg=a:b ");
    expect(line).toContain("cs1=https\\://x/alerts/1");
  });

  it("round-trips hostile values through format and parse", () => {
    const hostile = {
      suser: "evil\\user=admin msg=forged cs2=new",
      shost: "HOST|with|pipes",
      msg: "line1\nline2\r\n suser=injected \\n literal",
      cs1: "https://vigil/alerts/a=b",
    };
    const line = formatCef(
      record(Object.entries(hostile) as [string, string][], { name: "name|with\\pipe\nand newline", classId: "Cls|x" }),
    );
    expect(line).not.toMatch(/[\r\n]/);
    const parsed = parseCef(line);
    expect(parsed.name).toBe("name|with\\pipe and newline");
    expect(parsed.classId).toBe("Cls|x");
    expect(parsed.severity).toBe("5");
    expect(parsed.extensions).toEqual({ ...hostile, msg: "line1\nline2\n suser=injected \\n literal" });
  });

  it("leaves undefined values out and rejects bad keys and severities", () => {
    expect(
      formatCef(
        record([
          ["cnt", 3],
          ["cs3", undefined],
        ]),
      ),
    ).toMatch(/\|5\|cnt=3$/);
    expect(() => formatCef(record([["bad key", "x"]]))).toThrow(CefFormatError);
    expect(() => formatCef(record([["k=", "x"]]))).toThrow(CefFormatError);
    expect(() => formatCef(record([], { severity: 11 }))).toThrow(CefFormatError);
    expect(() => formatCef(record([], { severity: 2.5 }))).toThrow(CefFormatError);
  });

  it("writes start times with MDI's 7-digit fraction and rejects non-times", () => {
    expect(cefTime("2018-02-21T14:19:02.604Z")).toBe("2018-02-21T14:19:02.6040000Z");
    expect(() => cefTime("yesterday")).toThrow(CefFormatError);
  });

  it("rejects text that is not CEF", () => {
    expect(() => parseCef("hello")).toThrow(CefFormatError);
    expect(() => parseCef("CEF:0|a|b|c")).toThrow(/header has 3 of 7/);
  });
});

const alert: AlertPayload = {
  tenantId: "t1",
  id: "a1b2",
  detectionId: "account-enumeration",
  severity: "medium",
  status: "open",
  title: "Reconnaissance using account enumeration",
  description: "Suspicious account enumeration from CLIENT1.",
  primaryEntity: "host:client1",
  entities: [
    { role: "source", kind: "computer", id: "client1.contoso.com", name: "client1" },
    { role: "target", kind: "user", id: "S-1-5-21-1-2-3-1105", name: "LMaldonado" },
  ],
  mitre: ["T1087"],
  firstSeen: "2018-02-21T14:19:02.604Z",
  lastSeen: "2018-02-21T14:20:02.604Z",
  count: 7,
  recommendedActions: [],
};

describe("MDI layout", () => {
  it("maps an alert like MDI's sample line", () => {
    const parsed = parseCef(
      formatCef(
        alertRecord(alert, "new", { vendor: "Vigil", product: "Vigil ITDR", version: "0.1.0", portalUrl: "https://vigil.example" }),
      ),
    );
    expect(parsed).toMatchObject({ version: "0", classId: "AccountEnumerationSecurityAlert", name: alert.title, severity: "5" });
    expect(parsed.extensions).toEqual({
      start: "2018-02-21T14:19:02.6040000Z",
      app: "Kerberos",
      shost: "CLIENT1",
      suser: "LMaldonado",
      msg: alert.description,
      cnt: "7",
      externalId: "2003",
      cs1Label: "url",
      cs1: "https://vigil.example/alerts/a1b2",
      cs2Label: "trigger",
      cs2: "new",
      cs3Label: "shostfqdn",
      cs3: "client1.contoso.com",
      cs4Label: "detectionId",
      cs4: "account-enumeration",
      cs5Label: "alertId",
      cs5: "a1b2",
    });
  });

  it("maps severities 3 / 5 / 10 and gives every shipped detection a class", () => {
    for (const [sev, n] of [
      ["low", "3"],
      ["medium", "5"],
      ["high", "10"],
    ] as const) {
      expect(parseCef(formatCef(alertRecord({ ...alert, severity: sev }, "update"))).severity).toBe(n);
    }
    for (const d of allDetections) {
      const cls = alertClassOf(d.id);
      expect(cls.className, d.id).toMatch(/^[A-Za-z]+SecurityAlert$/);
      expect(cls.externalId, d.id).toBeTruthy();
    }
    expect(alertClassOf("brand-new-detection")).toEqual({ className: "BrandNewDetectionSecurityAlert", externalId: "brand-new-detection" });
  });

  it("maps a health issue with the health template", () => {
    const parsed = parseCef(
      formatCef(
        healthRecord({
          tenantId: "t1",
          id: "h1",
          sensorId: "s1",
          type: "sensor-stopped-communicating",
          subject: "",
          title: "Sensor stopped communicating",
          severity: "medium",
          status: "open",
          description: "Sensor dc01 has not communicated for 6 minutes.",
          details: {},
          firstSeen: "2026-01-01T00:00:00.000Z",
          lastSeen: "2026-01-01T00:00:00.000Z",
          closedAt: null,
          suppressedUntil: null,
        }),
      ),
    );
    expect(parsed.classId).toBe("SensorStoppedCommunicatingMonitoringAlert");
    expect(parsed.extensions).toMatchObject({
      externalId: "1011",
      cs1Label: "url",
      msg: "Sensor dc01 has not communicated for 6 minutes.",
    });
  });
});

describe("syslog framing", () => {
  const time = new Date("2026-03-05T07:08:09.123Z");
  it("frames RFC 5424 with APP-NAME CEF and the class as MSGID (32 chars)", () => {
    const m = syslogMessage("CEF:0|x", {
      format: "rfc5424",
      hostname: "vigil-1",
      msgId: "RetrieveDataProtectionBackupKeySecurityAlert",
      time,
      procId: 42,
    });
    expect(m).toBe("<36>1 2026-03-05T07:08:09.123Z vigil-1 CEF 42 RetrieveDataProtectionBackupKeyS - CEF:0|x");
  });
  it("frames RFC 3164 with a space-padded day and TAG CEF", () => {
    expect(syslogMessage("CEF:0|x", { format: "rfc3164", hostname: "vigil-1.example.com", msgId: "X", time })).toBe(
      "<36>Mar  5 07:08:09 vigil-1 CEF: CEF:0|x",
    );
  });
  it("keeps header tokens printable and space-free", () => {
    expect(headerToken("my host\n", 255)).toBe("my_host_");
    expect(headerToken("", 10)).toBe("-");
  });
  it("octet-counts in bytes, not characters", () => {
    expect(octetFrame("é").toString("utf8")).toBe("2 é");
  });
});
