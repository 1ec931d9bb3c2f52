/**
 * Group Policy Preferences `Machine/Preferences/Groups/Groups.xml` → changes to the local
 * Administrators group. Each `<Group>` item names a local group (`groupSid` / `groupName`, the
 * built-in one shows as "Administrators (built-in)") and, under `<Properties>`:
 *
 * - `action`: U (update) edits the membership; R (replace) deletes and recreates the group, so only
 *   the listed members remain; C (create) is read like U (the built-in group always exists, and an
 *   over-stated admin right is the safer error for path analysis); D (delete) cannot remove a built-in
 *   group and is noted.
 * - `deleteAllUsers` / `deleteAllGroups` = "1": empty the group of users / groups before the members.
 * - `<Members><Member name=… sid=… action="ADD|REMOVE"/>`.
 *
 * An item with `disabled="1"` is off in the editor and skipped. Item-level targeting (`<Filters>`)
 * is not evaluated; the item is applied to every computer in scope and marked `targeted`.
 * The XML must be well-formed: a damaged file is rejected as a whole, because a half-read list of
 * REMOVE actions could add rights that are not there.
 */
import { parseXmlElement, XmlSyntaxError, child, type XmlElement } from "../windows/xml/parse.ts";
import { GpoError } from "./errors.ts";
import { ADMINISTRATORS_SID, type AdminGroupChange, type MemberRef } from "./types.ts";

/** What a Groups.xml says about local Administrators, in document order. */
export interface GroupPreferencesResult {
  changes: AdminGroupChange[];
  notes: string[];
}

const ADMINISTRATORS_NAMES = /^(builtin\\)?administrators( \(built-in\))?$/i;
const SID = /^S-1-\d+(-\d+)+$/i;

function memberRef(m: XmlElement): MemberRef | string {
  const sid = m.attrs.sid?.trim();
  const name = m.attrs.name?.trim();
  if (sid && !SID.test(sid)) return `sid ${JSON.stringify(sid)} is not a SID`;
  if (!sid && !name) return "member without name or sid";
  return { ...(sid ? { sid: sid.toUpperCase() } : {}), ...(name ? { name } : {}) };
}

/** Parses Groups.xml text; throws GPO_MALFORMED when it is not well-formed or not a Groups document. */
export function parseGroupPreferences(text: string): GroupPreferencesResult {
  let root: XmlElement;
  try {
    root = parseXmlElement(text);
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    throw new GpoError("GPO_MALFORMED", `not well-formed XML (${error.message} at character ${error.offset}): file skipped`);
  }
  if (root.name !== "Groups") throw new GpoError("GPO_MALFORMED", `root element is <${root.name}>, not <Groups>: file skipped`);
  const notes: string[] = [];
  const changes: AdminGroupChange[] = [];
  root.children.forEach((item, index) => {
    const at = `item ${index + 1}${item.attrs.name ? ` (${item.attrs.name})` : ""}`;
    if (item.name !== "Group") return; // <User> items manage local accounts, not group membership
    const props = child(item, "Properties");
    if (!props) return void notes.push(`${at}: <Group> without <Properties> skipped`);
    const groupSid = props.attrs.groupSid?.trim().toUpperCase();
    const groupName = (props.attrs.groupName ?? item.attrs.name ?? "").trim();
    const isAdmins = groupSid ? groupSid === ADMINISTRATORS_SID : ADMINISTRATORS_NAMES.test(groupName);
    if (!isAdmins) return;
    if (item.attrs.disabled === "1") return void notes.push(`${at}: item disabled in the editor; skipped`);
    const action = (props.attrs.action ?? "U").toUpperCase();
    if (action === "D") return void notes.push(`${at}: action Delete cannot remove the built-in Administrators group; skipped`);
    if (!["U", "C", "R"].includes(action)) return void notes.push(`${at}: unknown action ${JSON.stringify(action)}; skipped`);
    const add: MemberRef[] = [];
    const remove: MemberRef[] = [];
    for (const [i, m] of (child(props, "Members")?.children ?? []).entries()) {
      if (m.name !== "Member") continue;
      const ref = memberRef(m);
      if (typeof ref === "string") {
        notes.push(`${at}: member ${i + 1}: ${ref}; skipped`);
        continue;
      }
      const op = (m.attrs.action ?? "").toUpperCase();
      if (op === "ADD") add.push(ref);
      else if (op === "REMOVE") remove.push(ref);
      else notes.push(`${at}: member ${i + 1}: action ${JSON.stringify(m.attrs.action ?? "")} is neither ADD nor REMOVE; skipped`);
    }
    const targeted = child(item, "Filters")?.children.length ? true : undefined;
    if (targeted) notes.push(`${at}: item-level targeting is not evaluated; the item is taken to apply to every computer in scope`);
    if (action === "C") notes.push(`${at}: action Create read as Update (the built-in group always exists)`);
    changes.push({
      from: "group-preferences",
      // Replace recreates the group: only what this item adds remains.
      ...(action === "R" ? { replaceWith: add } : {}),
      ...(props.attrs.deleteAllUsers === "1" ? { clearUsers: true } : {}),
      ...(props.attrs.deleteAllGroups === "1" ? { clearGroups: true } : {}),
      remove: action === "R" ? [] : remove,
      add: action === "R" ? [] : add,
      ...(targeted ? { targeted } : {}),
    });
  });
  return { changes, notes };
}
