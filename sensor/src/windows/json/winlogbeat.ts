import { makeRecord, scalarText, toIsoUtc, type WindowsRecord } from "../record.ts";
import { at, isObject, text, type JsonObject } from "./fields.ts";

/**
 * Winlogbeat / Elastic Agent (ECS) documents, nested or with flattened dotted keys. `@timestamp` is
 * the record's TimeCreated (Winlogbeat sets it from the event, not from ingestion). Winlogbeat names
 * unnamed data `param1…`; those become `Data_0…` like the other readers. `winlog.user_data` is the
 * UserData wrapper's content minus Winlogbeat's `xml_name`.
 */
export function fromWinlogbeat(o: JsonObject): WindowsRecord | string {
  const data: Record<string, string> = {};
  collect(o, "winlog.event_data", data);
  collect(o, "winlog.user_data", data);
  return makeRecord({
    EventID: numericText(at(o, "winlog.event_id") ?? at(o, "event.code")),
    TimeCreated: toIsoUtc(at(o, "@timestamp"), 0) ?? toIsoUtc(at(o, "winlog.time_created"), 0),
    EventRecordID: text(o, "winlog.record_id"),
    Computer: text(o, "winlog.computer_name", "host.name"),
    Channel: text(o, "winlog.channel"),
    Provider: text(o, "winlog.provider_name", "event.provider"),
    UserID: text(o, "winlog.user.identifier"),
    EventData: data,
  });
}

function collect(o: JsonObject, path: string, into: Record<string, string>): void {
  const put = (key: string, value: unknown) => {
    if (key === "xml_name") return;
    const v = scalarText(value);
    if (v === undefined) return;
    const param = /^param(\d+)$/.exec(key);
    into[param ? `Data_${Number(param[1]) - 1}` : key] = v;
  };
  const nested = at(o, path);
  if (isObject(nested)) for (const [k, v] of Object.entries(nested)) put(k, v);
  const prefix = `${path}.`;
  for (const [k, v] of Object.entries(o)) if (k.startsWith(prefix)) put(k.slice(prefix.length), v);
}

function numericText(value: unknown): unknown {
  return typeof value === "string" ? value.trim() : value;
}
