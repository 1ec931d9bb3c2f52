import {
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  GraphQLList,
  getNamedType,
  getNullableType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  Kind,
  specifiedRules,
  validate,
} from "graphql";
import { ErrorCode, codedValidationError } from "./errors.ts";
import { MAX_PAGE_SIZE } from "./modules/shared/pagination.ts";

/** Ceilings on what one operation may ask for. */
export interface QueryLimits {
  /** Deepest field nesting, e.g. `{ alerts { edges { node { id } } } }` is 4. */
  maxDepth: number;
  /** Estimated number of resolved fields (see `estimate`). */
  maxComplexity: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 10, maxComplexity: 5000 };

// Lists without a `first` argument (sensors, mitre…) are assumed to hold this many items.
const UNPAGED_LIST_ESTIMATE = 10;

/** Validation rules both servers run on every operation (HTTP and, via the hook, subscriptions). */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [(context) => ({ OperationDefinition: (operation) => checkOperation(context, operation, limits) })];
}

/**
 * HTTP servers execute a subscription operation as if it were a query; refuse it during validation
 * instead, with a pointer to where subscriptions are served.
 */
export const noSubscriptionOverHttp: ValidationRule = (context) => ({
  OperationDefinition: (operation) => {
    if (operation.operation === "subscription") {
      context.reportError(
        codedValidationError(ErrorCode.BAD_REQUEST, "Subscriptions are served over WebSocket (graphql-ws) at /graphql only", [operation]),
      );
    }
  },
});

/** Full validation of a subscription document (Mercurius runs none itself for WebSocket operations). */
export function validateSubscription(schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits): readonly GraphQLError[] {
  return validate(schema, document, [...specifiedRules, ...queryLimitRules(limits)]);
}

function checkOperation(context: ValidationContext, operation: OperationDefinitionNode, limits: QueryLimits): void {
  const root = context.getSchema().getRootType(operation.operation);
  if (!root) return;
  const walker = new Walker(context);
  const depth = walker.depth(operation.selectionSet, 0, new Set());
  if (depth > limits.maxDepth) {
    context.reportError(
      codedValidationError(ErrorCode.QUERY_TOO_DEEP, `Query depth ${depth} exceeds the limit of ${limits.maxDepth}`, [operation]),
    );
    return;
  }
  const cost = walker.cost(operation.selectionSet, root, false, new Set());
  if (cost > limits.maxComplexity) {
    context.reportError(
      codedValidationError(ErrorCode.QUERY_TOO_COMPLEX, `Query complexity ${cost} exceeds the limit of ${limits.maxComplexity}`, [
        operation,
      ]),
    );
  }
}

/**
 * Depth and cost over the operation with fragments expanded. Introspection fields (`__schema`,
 * `__typename`) are free: their size is bounded by the schema, not by data. Fragment cycles are cut
 * short here; the spec rule NoFragmentCycles reports them.
 */
class Walker {
  constructor(private readonly context: ValidationContext) {}

  depth(set: SelectionSetNode, level: number, fragments: Set<string>): number {
    let deepest = level;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith("__")) continue;
        const below = selection.selectionSet ? this.depth(selection.selectionSet, level + 1, fragments) : level + 1;
        deepest = Math.max(deepest, below);
      } else {
        const inner = this.fragmentSelection(selection, fragments);
        if (inner) deepest = Math.max(deepest, this.depth(inner.set, level, inner.seen));
      }
    }
    return deepest;
  }

  /**
   * Each field costs 1 plus its selection times how many items it returns: the literal `first`,
   * the schema default for `first`, or MAX_PAGE_SIZE when `first` is a variable (variables are
   * not known while validating). A list directly under a paged field (a connection's `edges`) is
   * not multiplied again; other lists count as UNPAGED_LIST_ESTIMATE items.
   */
  cost(set: SelectionSetNode, parentType: unknown, parentPaged: boolean, fragments: Set<string>): number {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith("__")) continue;
        const field = fieldOf(parentType, selection.name.value);
        const paged = field ? pageArgument(selection, field) : undefined;
        const isList = field ? getNullableType(field.type) instanceof GraphQLList : false;
        const multiplier = paged ?? (isList && !parentPaged ? UNPAGED_LIST_ESTIMATE : 1);
        const childType = field ? getNamedType(field.type) : undefined;
        const below = selection.selectionSet ? this.cost(selection.selectionSet, childType, paged !== undefined, fragments) : 0;
        total += 1 + multiplier * below;
      } else {
        const inner = this.fragmentSelection(selection, fragments);
        if (!inner) continue;
        const typeName = inner.typeCondition;
        const type = typeName ? this.context.getSchema().getType(typeName) : parentType;
        total += this.cost(inner.set, isCompositeType(type) ? type : parentType, parentPaged, inner.seen);
      }
    }
    return total;
  }

  private fragmentSelection(
    selection: Exclude<SelectionSetNode["selections"][number], FieldNode>,
    fragments: Set<string>,
  ): { set: SelectionSetNode; seen: Set<string>; typeCondition?: string } | undefined {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      return { set: selection.selectionSet, seen: fragments, typeCondition: selection.typeCondition?.name.value };
    }
    const name = selection.name.value;
    const fragment = this.context.getFragment(name);
    if (!fragment || fragments.has(name)) return undefined;
    return { set: fragment.selectionSet, seen: new Set([...fragments, name]), typeCondition: fragment.typeCondition.name.value };
  }
}

function fieldOf(type: unknown, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

function pageArgument(node: FieldNode, field: GraphQLField<unknown, unknown>): number | undefined {
  const definition = field.args.find((arg) => arg.name === "first");
  if (!definition) return undefined;
  const given = node.arguments?.find((arg) => arg.name.value === "first")?.value;
  if (!given) return typeof definition.defaultValue === "number" ? definition.defaultValue : MAX_PAGE_SIZE;
  if (given.kind === Kind.INT) return Math.max(0, Number.parseInt(given.value, 10));
  return MAX_PAGE_SIZE;
}
