import { makeRecord, scalarText, toIsoUtc, type WindowsRecord } from "../record.ts";
import { eventDataOf } from "../xml/event.ts";
import { parseXmlElement } from "../xml/parse.ts";
import { at, isObject, scalars, text, type JsonObject } from "./fields.ts";
import { fromPowerShell } from "./powershell.ts";
import { fromWinlogbeat } from "./winlogbeat.ts";

/** The JSON shapes Windows events are exported in; decided per record, since exports mix them. */
export type JsonFlavor = "record" | "evtx-json" | "winlogbeat" | "powershell" | "sentinel" | "nxlog";

/** Recognizes a record's flavour by its distinctive keys, or undefined when it is none of them. */
export function classifyJson(o: JsonObject): JsonFlavor | undefined {
  if (isObject(o["winlog"]) || "winlog.event_id" in o || "winlog.channel" in o) return "winlogbeat";
  if (isObject(o["Event"]) && isObject((o["Event"] as JsonObject)["System"])) return "evtx-json";
  if ("EventID" in o && isObject(o["EventData"])) return "record";
  if ("Id" in o && !("EventID" in o) && ("RecordId" in o || "ProviderName" in o || "LogName" in o)) return "powershell";
  if ("EventID" in o && "TimeGenerated" in o) return "sentinel";
  if ("EventID" in o && ("EventTime" in o || "@timestamp" in o || "TimeCreated" in o || "EventReceivedTime" in o || "Hostname" in o))
    return "nxlog";
  return undefined;
}

/** Converts one JSON object to a record, or returns why it cannot. */
export function jsonToRecord(o: JsonObject, flavor = classifyJson(o)): WindowsRecord | string {
  switch (flavor) {
    case "record":
      return makeRecord({
        EventID: o["EventID"],
        TimeCreated: toIsoUtc(o["TimeCreated"], 0),
        EventRecordID: text(o, "EventRecordID"),
        Computer: text(o, "Computer"),
        Channel: text(o, "Channel"),
        Provider: text(o, "Provider"),
        UserID: text(o, "UserID"),
        EventData: scalars(o["EventData"]),
      });
    case "evtx-json":
      return fromEvtxJson(o["Event"] as JsonObject);
    case "winlogbeat":
      return fromWinlogbeat(o);
    case "powershell":
      return fromPowerShell(o);
    case "sentinel":
      return fromSentinel(o);
    case "nxlog":
      return fromNxlog(o);
    default:
      return "JSON object is not a Windows event in a known layout (no EventID / winlog / Id)";
  }
}

/** `evtx_dump -o json` style: the XML tree as objects, attributes under `#attributes`, text as `#text`. */
function fromEvtxJson(event: JsonObject): WindowsRecord | string {
  const system = event["System"] as JsonObject;
  const eventId = at(system, "EventID");
  const data = scalars(event["EventData"], (k) => k === "#attributes");
  const userData = event["UserData"];
  if (isObject(userData))
    for (const wrapper of Object.values(userData))
      Object.assign(
        data,
        scalars(wrapper, (k) => k === "#attributes"),
      );
  return makeRecord({
    EventID: isObject(eventId) ? eventId["#text"] : eventId,
    TimeCreated: toIsoUtc(at(system, "TimeCreated.#attributes.SystemTime"), 0),
    EventRecordID: text(system, "EventRecordID"),
    Computer: text(system, "Computer"),
    Channel: text(system, "Channel"),
    Provider: text(system, "Provider.#attributes.Name"),
    UserID: text(system, "Security.#attributes.UserID"),
    EventData: data,
  });
}

/**
 * Keys NXLog (im_msvistalog) and the Logstash/Kafka hop behind OTRF add around the event's own data;
 * every other top-level key is EventData. `ProviderName` is deliberately absent: 5058 and others
 * carry it as data, and NXLog names the provider `SourceName`.
 */
const NXLOG_META = new Set(
  (
    "EventID EventTime EventReceivedTime Hostname RecordNumber SourceName ProviderGuid Channel Task Opcode OpcodeValue Category " +
    "Keywords Severity SeverityValue ExecutionProcessID ThreadID Version Message SourceModuleName SourceModuleType @timestamp " +
    "@version host port tags type Level TimeCreated ActivityID RelatedActivityID UserID ERROR_EVT_UNRESOLVED beat log agent ecs"
  ).split(" "),
);
/** NXLog's own EventType values; Sysmon's EventType (SetValue, CreateKey…) is event data and is kept. */
const NXLOG_EVENT_TYPES = new Set(["AUDIT_SUCCESS", "AUDIT_FAILURE", "INFO", "WARNING", "ERROR", "CRITICAL", "VERBOSE"]);
/** NXLog resolves System/Security@UserID into these three; only then are they not event data (7045 has AccountName). */
const NXLOG_USER_KEYS = new Set(["AccountName", "Domain", "AccountType"]);
const FIFTEEN_MINUTES = 15;

/**
 * NXLog flat JSON. `EventTime` is local time of the NXLog host without a zone; OTRF's `@timestamp` is
 * the collector's UTC receipt time, a few seconds later. The zone offset is therefore
 * `@timestamp − EventReceivedTime` (both stamped on arrival, so forwarding lag cancels) rounded to
 * 15 minutes, and the event time is EventTime minus that offset — in the OTRF data this gives
 * exactly Sysmon's own UtcTime. Without `@timestamp` a zoneless EventTime is read as UTC.
 */
function fromNxlog(o: JsonObject): WindowsRecord | string {
  const resolvedUser = "UserID" in o;
  const data = scalars(o, (key, value) => {
    if (NXLOG_META.has(key)) return true;
    if (key === "EventType") return typeof value === "string" && NXLOG_EVENT_TYPES.has(value);
    return resolvedUser && NXLOG_USER_KEYS.has(key);
  });
  return makeRecord({
    EventID: o["EventID"],
    TimeCreated: nxlogTime(o),
    EventRecordID: text(o, "RecordNumber", "EventRecordID"),
    Computer: text(o, "Hostname", "Computer"),
    Channel: text(o, "Channel"),
    Provider: text(o, "SourceName"),
    UserID: text(o, "UserID"),
    EventData: data,
  });
}

function nxlogTime(o: JsonObject): string | undefined {
  const created = toIsoUtc(o["TimeCreated"]);
  if (created) return created;
  const collected = toIsoUtc(o["@timestamp"]);
  const eventTime = o["EventTime"];
  const zoned = toIsoUtc(eventTime);
  if (zoned) return zoned;
  if (typeof eventTime === "string" && toIsoUtc(eventTime, 0)) {
    if (!collected) return toIsoUtc(eventTime, 0);
    const received = toIsoUtc(o["EventReceivedTime"], 0) ?? toIsoUtc(eventTime, 0)!;
    // Local time runs behind UTC by (collected − received); the zone offset is its negation.
    const minutes = (Date.parse(received) - Date.parse(collected)) / 60_000;
    const offset = Math.round(minutes / FIFTEEN_MINUTES) * FIFTEEN_MINUTES;
    if (Math.abs(offset) <= 14 * 60) return toIsoUtc(eventTime, offset);
  }
  return collected;
}

/**
 * Columns Log Analytics adds to SecurityEvent / Event / WindowsEvent rows (or derives, like
 * `Account`, `LogonTypeName`); every other column is event data under its own name.
 */
const SENTINEL_META = new Set(
  (
    "TenantId SourceSystem TimeGenerated Computer EventID MG ManagementGroupName Type _ResourceId _BilledSize _IsBillable " +
    "_SubscriptionId _ItemId EventSourceName Channel Task Level Activity SourceComputerId EventOriginId TimeCollected Account " +
    "AccountType SubjectAccount TargetAccount TargetUser LogonTypeName Process EventData EventLog Source EventLevel EventLevelName " +
    "EventCategory RenderedDescription UserName ParameterXml timestamp HostCustomEntity AccountCustomEntity IPCustomEntity " +
    "AzureDeploymentID Opcode Keywords Version SystemUserId SystemProcessId SystemThreadId EventRecordId Provider"
  ).split(" "),
);

/**
 * Sentinel / Log Analytics rows. When the raw `EventData` XML is present it is authoritative and the
 * flattened columns only fill gaps. Kusto exports suffix columns of mixed type with `_string` /
 * `_dynamic`; those are folded back to the event's field name. There is no EventRecordID column, so
 * `EventOriginId` (unique per ingested record) stands in for it.
 */
function fromSentinel(o: JsonObject): WindowsRecord | string {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(o)) {
    const base = key.replace(/_(string|dynamic)$/, "");
    if (SENTINEL_META.has(key) || SENTINEL_META.has(base)) continue;
    const v = scalarText(value);
    if (v !== undefined && !(base in data)) data[base] = v;
  }
  const dynamicData = o["EventData_dynamic"];
  if (typeof dynamicData === "string" && dynamicData.trimStart().startsWith("[")) {
    try {
      const items: unknown = JSON.parse(dynamicData);
      if (Array.isArray(items)) items.forEach((v, i) => (data[`Data_${i}`] ??= scalarText(v) ?? ""));
    } catch {
      // A malformed dynamic column leaves the flattened columns as the data.
    }
  }
  for (const xmlKey of ["EventData", "EventData_string"]) {
    const xml = o[xmlKey];
    if (typeof xml !== "string" || !xml.trimStart().startsWith("<")) continue;
    try {
      Object.assign(data, eventDataOf(parseXmlElement(xml)));
    } catch {
      // Columns already hold the values; damaged XML only loses the raw copy.
    }
  }
  return makeRecord({
    EventID: o["EventID"],
    TimeCreated: toIsoUtc(o["TimeGenerated"], 0),
    EventRecordID: text(o, "EventRecordId", "EventOriginId"),
    Computer: text(o, "Computer"),
    Channel: text(o, "Channel", "EventLog"),
    Provider: text(o, "EventSourceName", "Source", "Provider"),
    UserID: text(o, "SystemUserId"),
    EventData: data,
  });
}
