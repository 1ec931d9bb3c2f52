// Builds one operation per root field straight from the schema, so the cross-tenant walk covers
// every query, mutation and subscription, including ones added after the walk was written.
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from "graphql";

/** One generated operation: the root field it exercises and the document. */
export interface WalkOperation {
  kind: "query" | "mutation" | "subscription";
  field: string;
  /** The probe that filled every String / ID argument. */
  probe: string;
  document: string;
}

const MAX_DEPTH = 4;

/** Literal for an input type; `probe` fills strings and ids so each run aims at one foreign object. */
function literal(type: GraphQLInputType, probe: string): string {
  if (isNonNullType(type)) return literal(type.ofType, probe);
  if (isListType(type)) return `[${literal(type.ofType, probe)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${fields.map((f) => `${f.name}: ${literal(f.type, probe)}`).join(", ")} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case "Int":
        return "1";
      case "Float":
        return "1.0";
      case "Boolean":
        return "true";
      case "DateTimeISO":
      case "DateTime":
        return JSON.stringify(new Date().toISOString());
      case "JSON":
      case "JSONObject":
        return "{}";
      default:
        return JSON.stringify(probe);
    }
  }
  throw new Error(`schema walk: no literal for input type ${String(type)}`);
}

// Required arguments only at nested levels (defaults apply); at the root, nullable String/ID
// arguments get the probe too, so filters like `entity` aim at the foreign object.
function args(list: readonly GraphQLArgument[], probe: string, root: boolean): string {
  const chosen = list.filter(
    (a) =>
      (isNonNullType(a.type) && a.defaultValue === undefined) ||
      (root && isScalarType(getNullableType(a.type)) && ["String", "ID"].includes(getNamedType(a.type).name)),
  );
  return chosen.length === 0 ? "" : `(${chosen.map((a) => `${a.name}: ${literal(a.type, probe)}`).join(", ")})`;
}

/** Every field of the output type down to MAX_DEPTH (leaves only at the bottom). */
function selection(type: GraphQLOutputType, probe: string, depth: number): string {
  const named = getNamedType(type);
  if (!isObjectType(named)) return "";
  const parts: string[] = [];
  for (const field of Object.values(named.getFields()) as GraphQLField<unknown, unknown>[]) {
    const inner = getNamedType(field.type);
    if (isObjectType(inner)) {
      if (depth >= MAX_DEPTH) continue;
      const sub = selection(field.type, probe, depth + 1);
      if (sub) parts.push(`${field.name}${args(field.args, probe, false)} ${sub}`);
    } else {
      parts.push(`${field.name}${args(field.args, probe, false)}`);
    }
  }
  return parts.length === 0 ? "" : `{ ${parts.join(" ")} }`;
}

/** One operation per root field and probe. */
export function walkSchema(schema: GraphQLSchema, probes: readonly string[]): WalkOperation[] {
  const roots = [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
    ["subscription", schema.getSubscriptionType()],
  ] as const;
  const operations: WalkOperation[] = [];
  for (const [kind, root] of roots) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      for (const probe of probes) {
        const document = `${kind} { ${field.name}${args(field.args, probe, true)} ${selection(field.type, probe, 2)} }`;
        operations.push({ kind, field: field.name, probe, document });
      }
    }
  }
  return operations;
}

/** Names of every root field, per kind, for the coverage assertion. */
export function rootFields(schema: GraphQLSchema): string[] {
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) =>
    t ? Object.keys(t.getFields()) : [],
  );
}
