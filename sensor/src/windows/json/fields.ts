import { scalarText } from "../record.ts";

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads `a.b.c` from nested objects or from a flattened `"a.b.c"` key (both occur in exports). */
export function at(o: JsonObject, path: string): unknown {
  if (path in o) return o[path];
  let cur: unknown = o;
  for (const part of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** The first of several paths that holds a scalar, as text. */
export function text(o: JsonObject, ...paths: string[]): string | undefined {
  for (const p of paths) {
    const v = scalarText(at(o, p));
    if (v !== undefined && v !== "") return v;
  }
  return undefined;
}

/** Copies scalar members of an object into EventData form; nulls and nested objects carry no value. */
export function scalars(source: unknown, skip?: (key: string, value: unknown) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(source)) return out;
  for (const [key, value] of Object.entries(source)) {
    if (skip?.(key, value)) continue;
    const v = scalarText(value);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
