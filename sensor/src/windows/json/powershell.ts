import { makeRecord, scalarText, toIsoUtc, toEventId, type WindowsRecord } from "../record.ts";
import { isObject, text, type JsonObject } from "./fields.ts";
import { positionalName } from "./positional.ts";

/**
 * `Get-WinEvent … | ConvertTo-Json` (EventLogRecord objects). Windows PowerShell 5.1 writes dates as
 * `/Date(ms)/`, PowerShell 7 as ISO with an offset; ETS-decorated dates become `{value, DateTime}`.
 * Properties are positional (`[{Value: …}]`): named through the event's template where Vigil knows
 * it (see positional.ts), `Data_<i>` otherwise. Values keep their .NET form: numbers stay decimal
 * (`Status` 3221225578 for 0xC000006A), which the mappers read as well as hex.
 */
export function fromPowerShell(o: JsonObject): WindowsRecord | string {
  const id = toEventId(o["Id"]);
  const data: Record<string, string> = {};
  const properties = o["Properties"];
  if (properties !== undefined && !Array.isArray(properties)) return "Properties is not an array";
  if (id !== undefined && Array.isArray(properties)) {
    properties.forEach((p, i) => {
      const v = propertyValue(isObject(p) && "Value" in p ? p["Value"] : p);
      if (v !== undefined) data[positionalName(id, i)] = v;
    });
  }
  return makeRecord({
    EventID: o["Id"],
    TimeCreated: toIsoUtc(dateText(o["TimeCreated"])),
    EventRecordID: text(o, "RecordId"),
    Computer: text(o, "MachineName"),
    Channel: text(o, "LogName", "ContainerLog"),
    Provider: text(o, "ProviderName"),
    UserID: sidText(o["UserId"]),
    EventData: data,
  });
}

/** SIDs serialize as objects holding `Value` (deeper -Depth) or as their string; GUIDs likewise. */
function propertyValue(value: unknown): string | undefined {
  if (isObject(value)) {
    if (typeof value["Value"] === "string") return value["Value"];
    if (typeof value["Guid"] === "string") return value["Guid"];
    if (typeof value["value"] === "string") return toIsoUtc(value["value"]) ?? value["value"];
    return undefined;
  }
  if (typeof value === "string" && value.startsWith("/Date(")) return toIsoUtc(value) ?? value;
  return scalarText(value);
}

function dateText(value: unknown): unknown {
  return isObject(value) ? (value["value"] ?? value["DateTime"]) : value;
}

function sidText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return isObject(value) && typeof value["Value"] === "string" ? value["Value"] : undefined;
}
