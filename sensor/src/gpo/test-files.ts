/** Generators for policy files in the encodings Windows and scripts write (test helpers). */

/** UTF-16LE with a byte-order mark, as the Security Configuration Editor writes GptTmpl.inf. */
export const utf16le = (text: string, bom = true): Buffer =>
  Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, "utf16le")]);

/** UTF-8, optionally with a byte-order mark. */
export const utf8 = (text: string, bom = false): Buffer =>
  Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, "utf8")]);

/** A GptTmpl.inf with the given `[Group Membership]` lines (CRLF, like secedit). */
export function securityTemplate(groupMembership: string[], extra = ""): string {
  return [
    "[Unicode]",
    "Unicode=yes",
    "[Version]",
    'signature="$CHICAGO$"',
    "Revision=1",
    "[System Access]",
    "MinimumPasswordLength = 14",
    extra,
    "[Group Membership]",
    ...groupMembership,
    "",
  ]
    .filter((l, i, all) => l !== "" || i === all.length - 1)
    .join("\r\n");
}

/** One GPP `<Member>`. */
export interface GppMember {
  name?: string;
  sid?: string;
  action: string;
}

/** A Groups.xml with one Administrators (built-in) item. */
export function groupsXml(
  members: GppMember[],
  options: { action?: string; deleteAllUsers?: boolean; deleteAllGroups?: boolean; disabled?: boolean; filters?: boolean } = {},
): string {
  const m = members.map((x) => `<Member name="${x.name ?? ""}" action="${x.action}" sid="${x.sid ?? ""}"/>`).join("");
  return (
    `<?xml version="1.0" encoding="utf-8"?>\r\n` +
    `<Groups clsid="{3125E937-EB16-4b4c-9934-544FC6D24D26}">` +
    `<Group clsid="{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}" name="Administrators (built-in)" image="2" changed="2026-11-20 10:00:00" uid="{0C1A7E2B-9F3D-4B5E-8A6C-2D4E6F8A0B1C}"${options.disabled ? ' disabled="1"' : ""}>` +
    `<Properties action="${options.action ?? "U"}" newName="" description="" deleteAllUsers="${options.deleteAllUsers ? 1 : 0}" ` +
    `deleteAllGroups="${options.deleteAllGroups ? 1 : 0}" removeAccounts="0" groupSid="S-1-5-32-544" groupName="Administrators (built-in)">` +
    `<Members>${m}</Members></Properties>` +
    (options.filters ? `<Filters><FilterComputer bool="AND" not="0" type="NETBIOS" name="WS01"/></Filters>` : "") +
    `</Group></Groups>`
  );
}
