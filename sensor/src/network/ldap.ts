import type { EventDraft, Principal } from "../contract/index.ts";
import { all, toNum, type Packet } from "./fields.ts";
import { principalOf, type WireContext } from "./map.ts";

const BIND_REQUEST = 0;
const BIND_RESPONSE = 1;
const SEARCH_REQUEST = 3;
const SEARCH_ENTRY = 4;
const SEARCH_DONE = 5;
// Responses that carry an LDAPResult, in the order their resultCode occurrences appear.
const HAS_RESULT = new Set([1, 5, 7, 9, 11, 13, 15, 24]);
const SASL_BIND_IN_PROGRESS = 14;
const SCOPES = ["base", "one", "sub"] as const;

interface Bind {
  at: number;
  packet: Packet;
  bindType: "simple" | "sasl" | "anonymous";
  actor?: Principal;
}
interface Search {
  at: number;
  packet: Packet;
  seq: number;
  baseDn?: string;
  scope?: (typeof SCOPES)[number];
  terms: string[];
  entries: number;
  onTimeout: () => EventDraft | undefined;
}

/**
 * LDAP (389, 3268, and 636 only when the operator's keys let tshark see inside TLS): binds become
 * `ldap.bind` with their result (a simple bind names its DN — its password, plainly on the wire, is
 * never copied into the event), searches become `ldap.search` with base, scope, the attributes and
 * values the request names, and the number of entries returned once the searchResDone arrives.
 * SASL binds take the user the connection's NTLM or Kerberos exchange named.
 */
export function mapLdap(p: Packet, ctx: WireContext): void {
  const ops = all(p, "ldap.protocolOp").map(toNum);
  const ids = all(p, "ldap.messageID");
  const results = all(p, "ldap.resultCode").map(toNum);
  const bases = all(p, "ldap.baseObject");
  const scopes = all(p, "ldap.scope").map(toNum);
  const binds = ctx.pending<Bind>("ldap-bind");
  const searches = ctx.pending<Search>("ldap-search");
  const conn = p.stream !== undefined ? `tcp${p.stream}` : `${p.src}:${p.srcPort}`;
  const reply = p.stream !== undefined ? `tcp${p.stream}` : `${p.dst}:${p.dstPort}`;
  let r = 0;
  let s = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const id = ids[i] ?? "";
    const result = op !== undefined && HAS_RESULT.has(op) ? results[r++] : undefined;
    if (op === BIND_REQUEST) {
      const name = all(p, "ldap.name")[0]?.trim();
      const simple = p.values.has("ldap.simple");
      const sasl = p.values.has("ldap.mechanism");
      const bindType = sasl ? "sasl" : simple && name ? "simple" : "anonymous";
      const actor = bindType === "simple" ? principalOf(name) : undefined;
      binds.put(`${conn}#${id}`, { at: p.timeMs, packet: p, bindType, ...(actor ? { actor } : {}) });
    } else if (op === BIND_RESPONSE) {
      if (result === SASL_BIND_IN_PROGRESS) continue;
      const bind = binds.take(`${reply}#${id}`);
      if (!bind || result === undefined) continue;
      const q = bind.packet;
      const actor = bind.actor ?? (bind.bindType === "sasl" && q.stream !== undefined ? ctx.state.connections.get(q.stream) : undefined);
      if (bind.actor && q.stream !== undefined && result === 0) ctx.state.connections.set(q.stream, bind.actor);
      ctx.emit({
        ...ctx.base(q, q.src, q.dst),
        kind: "ldap.bind",
        ...(actor ? { actor } : {}),
        src: ctx.source(q.src, q.srcPort, q.timeMs),
        bindType: bind.bindType,
        result,
      });
    } else if (op === SEARCH_REQUEST) {
      const scope = scopes[s];
      const baseDn = bases[s]?.trim();
      s++;
      const search: Search = {
        at: p.timeMs,
        packet: p,
        seq: i,
        ...(baseDn ? { baseDn } : {}),
        ...(scope !== undefined && SCOPES[scope] ? { scope: SCOPES[scope] } : {}),
        terms: [...all(p, "ldap.attributeDesc"), ...all(p, "ldap.present"), ...all(p, "ldap.assertionValue")].filter((t) => t.trim()),
        entries: 0,
        onTimeout: () => searchDraft(search, undefined, ctx),
      };
      searches.put(`${conn}#${id}`, search);
    } else if (op === SEARCH_ENTRY) {
      const search = searches.peek(`${reply}#${id}`);
      if (search) search.entries++;
    } else if (op === SEARCH_DONE) {
      const search = searches.take(`${reply}#${id}`);
      if (search) ctx.emit(searchDraft(search, search.entries, ctx));
    }
  }
}

function searchDraft(search: Search, count: number | undefined, ctx: WireContext): EventDraft {
  const q = search.packet;
  const actor = q.stream !== undefined ? ctx.state.connections.get(q.stream) : undefined;
  return {
    ...ctx.base(q, q.src, q.dst, search.seq),
    kind: "ldap.search",
    ...(actor ? { actor } : {}),
    src: ctx.source(q.src, q.srcPort, q.timeMs),
    ...(search.baseDn ? { baseDn: search.baseDn } : {}),
    scope: search.scope ?? "unknown",
    attributes: [],
    ...(count !== undefined ? { resultCount: count } : {}),
    ...(search.terms.length ? { terms: search.terms } : {}),
  };
}
