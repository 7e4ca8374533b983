// The cost of an operation: how many objects its answer can hold, counted before it runs from
// the document and its variables together, so `first: 1000` costs the same whether it is written
// in the document or passed as `$first`. Modelled on GitHub's node limit (a connection's
// selection counts once per item of the page it asks for) rather than on the document's shape:
//
//   - a scalar or enum costs nothing (it comes with its object);
//   - an object costs 1 plus its selection;
//   - a connection's `edges` and `nodes` count their selection once per item of the page:
//     `first` or `last` (literal, variable, or the argument's default), so
//     `interfaces(first: 1000) { totalCount }` costs 1 and
//     `interfaces(first: 1000) { nodes { id name } }` costs 1 + 1000;
//   - any other list counts its selection LIST_ESTIMATE times (lists inside an entity, such as a
//     namespace's interfaces, and introspection's lists alike: introspection is not free);
//   - fragments count where they are spread; type conditions on an abstract type all count.
//
// Pure: it reads the schema and the document only.

import {
  getNamedType,
  getNullableType,
  GraphQLList,
  isInterfaceType,
  isLeafType,
  isObjectType,
  Kind,
  // The introspection entry points are not fields of the Query type: their definitions are these.
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
import { DEFAULT_PAGE } from "./connection.ts";

/** How many items a list that is not a connection page is taken to hold. */
export const LIST_ESTIMATE = 10;

export interface CostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  /** The operation's variables as the client sent them. */
  variables?: Record<string, unknown> | null;
}

/** The operation a request runs: the named one, or the only one. Null when that is ambiguous (validation says why). */
export function selectedOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | null {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return ops.find((o) => o.name?.value === operationName) ?? null;
  return ops.length === 1 ? ops[0]! : null;
}

function isConnectionType(t: GraphQLNamedType): boolean {
  return isObjectType(t) && t.name.endsWith("Connection") && "edges" in t.getFields() && "pageInfo" in t.getFields();
}

function isList(field: GraphQLField<unknown, unknown>): boolean {
  return getNullableType(field.type) instanceof GraphQLList;
}

export function operationCost({ schema, document, operationName, variables }: CostInput): number {
  const operation = selectedOperation(document, operationName);
  if (!operation) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const defaults = new Map<string, unknown>();
  for (const v of operation.variableDefinitions ?? []) if (v.defaultValue) defaults.set(v.variable.name.value, valueFromASTUntyped(v.defaultValue));
  const given = variables ?? {};

  const intArg = (node: FieldNode, field: GraphQLField<unknown, unknown>, name: string): number | null => {
    const arg = node.arguments?.find((a) => a.name.value === name);
    let value: unknown;
    if (!arg) value = field.args.find((a) => a.name === name)?.defaultValue;
    else if (arg.value.kind === Kind.VARIABLE) {
      const v = arg.value.name.value;
      value = v in given ? given[v] : defaults.get(v);
    } else value = valueFromASTUntyped(arg.value as ValueNode);
    return typeof value === "number" && Number.isFinite(value) ? Math.max(0, Math.trunc(value)) : null;
  };

  const root = operation.operation === "query" ? schema.getQueryType() : operation.operation === "mutation" ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return 0;

  // `page`: the items of the connection whose fields these are (for its edges and nodes).
  const selectionCost = (set: SelectionSetNode, parent: GraphQLNamedType, page: number, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const on = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) ?? parent) : parent;
        total += selectionCost(sel.selectionSet, on, page, seen);
      } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const name = sel.name.value;
        const frag = fragments.get(name);
        // A fragment that spreads itself is a validation error; never loop on it here.
        if (!frag || seen.has(name)) continue;
        const on = schema.getType(frag.typeCondition.name.value) ?? parent;
        total += selectionCost(frag.selectionSet, on, page, new Set([...seen, name]));
      } else {
        total += fieldCost(sel, parent, page, seen);
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLNamedType, page: number, seen: ReadonlySet<string>): number => {
    const name = node.name.value;
    if (name === "__typename") return 0;
    let field: GraphQLField<unknown, unknown> | undefined;
    if (name === "__schema" || name === "__type") field = schema.getQueryType() === parent ? (name === "__schema" ? SchemaMetaFieldDef : TypeMetaFieldDef) : undefined;
    else if (isObjectType(parent) || isInterfaceType(parent)) field = parent.getFields()[name];
    if (!field) return 0;
    const type = getNamedType(field.type);
    if (isLeafType(type)) return 0;
    const connection = isConnectionType(type);
    const childPage = connection ? (intArg(node, field, "first") ?? intArg(node, field, "last") ?? DEFAULT_PAGE) : page;
    const one = 1 + (node.selectionSet ? selectionCost(node.selectionSet, type, childPage, seen) : 0);
    if (!isList(field)) return one;
    const items = isConnectionType(parent) && (name === "edges" || name === "nodes") ? page : LIST_ESTIMATE;
    return one * items;
  };

  return selectionCost(operation.selectionSet, root, DEFAULT_PAGE, new Set());
}
