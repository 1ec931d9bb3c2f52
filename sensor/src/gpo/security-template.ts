/**
 * GptTmpl.inf (a security template, `Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf`) → the local
 * Administrators changes of its `[Group Membership]` section (Restricted Groups).
 *
 * The file is INI-like: `[Section]` headers, `key = value` lines, `;` comments. In `[Group Membership]`:
 *
 *   *S-1-5-32-544__Members  = *S-1-5-21-…-512,VIGIL\Helpdesk   the whole membership of Administrators
 *   *S-1-5-21-…-1107__Memberof = *S-1-5-32-544                 this principal is added to Administrators
 *
 * A `*` marks a SID; anything else is an account name the client resolves. `__Members` replaces the
 * group's membership (an empty value empties it), `__Memberof` only adds. Administrators is
 * recognised by its SID and by its English names; a localised name ("Administrateurs") is reported
 * so the operator can see why a line did nothing.
 *
 * Lines of other sections are ignored (they are other settings). An unknown section header, a line
 * outside any section or without `=` is noted and skipped; the rest of the file is still used, since
 * each membership line stands alone. A template without `[Version]`'s `$CHICAGO$` signature is
 * refused: it is then not a security template at all, and reading memberships out of it would be a guess.
 */
import { GpoError } from "./errors.ts";
import { ADMINISTRATORS_SID, type AdminGroupChange, type MemberRef } from "./types.ts";

/** Sections the Security Configuration Editor writes (anything else is noted). */
const KNOWN_SECTIONS = new Set(
  [
    "Unicode",
    "Version",
    "System Access",
    "System Log",
    "Security Log",
    "Application Log",
    "Event Audit",
    "Kerberos Policy",
    "Registry Values",
    "Privilege Rights",
    "Group Membership",
    "Service General Setting",
    "Registry Keys",
    "File Security",
    "Profile Description",
    "Strings",
  ].map((s) => s.toLowerCase()),
);

/** How Administrators may be named without its SID. */
const ADMINISTRATORS_NAMES = new Set(["administrators", "builtin\\administrators"]);

/** What a template says about local Administrators. */
export interface SecurityTemplateResult {
  /** Undefined when the template does not touch Administrators. */
  change: AdminGroupChange | undefined;
  notes: string[];
}

/** A comma-separated member list → references (`*SID` or a name), blanks dropped. */
export function parseMemberList(value: string): MemberRef[] {
  return value
    .split(",")
    .map((s) =>
      s
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .trim(),
    )
    .filter((s) => s !== "")
    .map((s) => (s.startsWith("*") ? { sid: s.slice(1).trim().toUpperCase() } : { name: s }));
}

function isAdministrators(ref: MemberRef): boolean {
  return ref.sid === ADMINISTRATORS_SID || (ref.name !== undefined && ADMINISTRATORS_NAMES.has(ref.name.toLowerCase()));
}

const SID = /^S-1-\d+(-\d+)+$/;

/** Parses a security template's text; throws GPO_MALFORMED when it is not a security template. */
export function parseSecurityTemplate(text: string): SecurityTemplateResult {
  const notes: string[] = [];
  let section: string | undefined;
  let signature: string | undefined;
  let replaceWith: MemberRef[] | undefined;
  const add: MemberRef[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const at = `line ${index + 1}`;
    if (line === "" || line.startsWith(";")) return;
    const header = /^\[([^\]]*)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      if (!KNOWN_SECTIONS.has(section)) notes.push(`${at}: unknown section [${header[1]}] ignored`);
      return;
    }
    if (section === undefined) return void notes.push(`${at}: text before the first [section] ignored`);
    const eq = line.indexOf("=");
    if (section === "version" && eq > 0 && line.slice(0, eq).trim().toLowerCase() === "signature") signature = line.slice(eq + 1).trim();
    if (section !== "group membership") return;
    if (eq <= 0) return void notes.push(`${at}: [Group Membership] line without "key = value" skipped`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1);
    const m = /^(.*)__(members|memberof)$/i.exec(key);
    if (!m)
      return void notes.push(
        `${at}: [Group Membership] key ${JSON.stringify(key)} is neither <group>__Members nor <principal>__Memberof; skipped`,
      );
    const [subject] = parseMemberList(m[1]!);
    if (!subject) return void notes.push(`${at}: [Group Membership] key ${JSON.stringify(key)} names no group or principal; skipped`);
    if (subject.sid !== undefined && !SID.test(subject.sid))
      return void notes.push(`${at}: ${JSON.stringify(`*${subject.sid}`)} is not a SID; skipped`);
    const members = parseMemberList(value);
    const badSid = members.find((r) => r.sid !== undefined && !SID.test(r.sid));
    if (badSid) return void notes.push(`${at}: ${JSON.stringify(`*${badSid.sid}`)} is not a SID; line skipped`);
    if (m[2]!.toLowerCase() === "members") {
      if (!isAdministrators(subject)) return;
      // A template holds one value per key; a repeated key is an editing accident and the last one is what secedit keeps.
      if (replaceWith !== undefined) notes.push(`${at}: Administrators__Members appears again; the later line wins`);
      replaceWith = members;
    } else if (members.some(isAdministrators)) {
      if (isAdministrators(subject)) return void notes.push(`${at}: Administrators listed as a member of itself; skipped`);
      add.push(subject);
    } else {
      for (const r of members.filter((r) => r.name && /administrat/i.test(r.name)))
        notes.push(
          `${at}: group name ${JSON.stringify(r.name)} is not recognised as the built-in Administrators (write *${ADMINISTRATORS_SID})`,
        );
    }
  });
  if (signature === undefined || signature.replace(/"/g, "").toLowerCase() !== "$chicago$")
    throw new GpoError(
      "GPO_MALFORMED",
      `no [Version] signature="$CHICAGO$" (${signature === undefined ? "missing" : `found ${signature}`}): not a security template, file skipped`,
    );
  const change: AdminGroupChange | undefined =
    replaceWith !== undefined || add.length > 0
      ? { from: "security-template", ...(replaceWith !== undefined ? { replaceWith } : {}), remove: [], add }
      : undefined;
  return { change, notes };
}
