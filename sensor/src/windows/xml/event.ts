import { makeRecord, toIsoUtc, type WindowsRecord } from "../record.ts";
import { child, deepText, type XmlElement } from "./parse.ts";

/**
 * Maps one parsed `<Event>` (wevtutil /f:xml, `Get-WinEvent | % ToXml`, Sentinel's EventData column)
 * to a record, or returns the reason it cannot. SystemTime is UTC by definition, so a time written
 * without a zone (some tools drop the `Z`) is read as UTC.
 */
export function eventElementToRecord(event: XmlElement): WindowsRecord | string {
  if (event.name !== "Event") return `expected <Event>, found <${event.name}>`;
  const system = child(event, "System");
  if (!system) return "event has no <System>";
  const eventIdText = child(system, "EventID")?.text.trim();
  const timeAttr = child(system, "TimeCreated")?.attrs["SystemTime"];
  const time = toIsoUtc(timeAttr, 0);
  if (eventIdText !== undefined && timeAttr !== undefined && !time)
    return `TimeCreated SystemTime ${JSON.stringify(timeAttr)} is not a timestamp`;
  const provider = child(system, "Provider");
  return makeRecord({
    EventID: eventIdText,
    TimeCreated: time,
    EventRecordID: child(system, "EventRecordID")?.text,
    Computer: child(system, "Computer")?.text,
    Channel: child(system, "Channel")?.text,
    Provider: provider?.attrs["Name"] ?? provider?.attrs["EventSourceName"],
    UserID: child(system, "Security")?.attrs["UserID"],
    EventData: eventDataOf(event),
  });
}

/**
 * EventData as the oracle names it: `Data Name=` → that name, unnamed `Data` → `Data_<i>` and
 * `Binary` → `Binary_<i>` with i the position among EventData's children. UserData (1102 log
 * cleared, 4794 on some builds, AD FS…) has one wrapper element whose leaves become named values.
 */
export function eventDataOf(container: XmlElement): Record<string, string> {
  const data: Record<string, string> = {};
  const eventData = child(container, "EventData") ?? (container.name === "EventData" ? container : undefined);
  if (eventData) {
    eventData.children.forEach((item, index) => {
      const name = item.attrs["Name"];
      if (item.name === "Data") data[name ?? `Data_${index}`] = deepText(item);
      else if (item.name === "Binary") data[`Binary_${index}`] = item.text.trim();
    });
  }
  const userData = child(container, "UserData");
  for (const wrapper of userData?.children ?? []) flattenLeaves(wrapper, data);
  return data;
}

function flattenLeaves(element: XmlElement, into: Record<string, string>): void {
  for (const c of element.children) {
    if (c.children.length === 0) {
      if (!(c.name in into)) into[c.name] = c.text;
    } else flattenLeaves(c, into);
  }
}
