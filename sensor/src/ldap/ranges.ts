/** Ranged retrieval of multi-valued attributes (MS-ADTS 3.1.1.3.1.3.3), for groups with many members. */
import type { Client, Control, Entry } from "ldapts";

const RANGED = /^(.+);range=(\d+)-(\d+|\*)$/i;

/**
 * Windows DCs return at most MaxValRange (1500) values of a multi-valued attribute per entry, as
 * `member;range=0-1499`; the rest must be asked for range by range. Without this a large group would
 * look like it had 1500 members (and the graph would drop the others). Samba sends everything at once.
 */
export async function completeRanges(client: Client, entry: Entry, controls: Control[]): Promise<void> {
  for (const key of Object.keys(entry)) {
    let m = RANGED.exec(key);
    if (!m) continue;
    const attr = m[1]!;
    const values = [...asStrings(entry[key])];
    delete entry[key];
    while (m && m[3] !== "*") {
      const next = Number(m[3]) + 1;
      const { searchEntries } = await client.search(
        parseDn(entry.dn),
        { scope: "base", filter: "(objectClass=*)", attributes: [`${attr};range=${next}-*`] },
        controls,
      );
      const part = searchEntries[0];
      const partKey = part && Object.keys(part).find((k) => RANGED.test(k) && k.toLowerCase().startsWith(`${attr.toLowerCase()};`));
      m = partKey ? RANGED.exec(partKey) : null;
      if (partKey) values.push(...asStrings(part[partKey]));
    }
    entry[attr] = values;
  }
}

const asStrings = (v: Entry[string] | undefined): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => x.toString());

/** The entry's DN without the `<GUID=…>;<SID=…>;` parts Samba puts on it under the extended-DN control. */
function parseDn(dn: string): string {
  return dn.replace(/^(<[^>]*>;)+/, "");
}
