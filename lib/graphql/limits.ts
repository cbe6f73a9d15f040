import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLError,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLDirective,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  getVariableValues,
} from 'graphql';

export const limits = {
  /** Deepest field nesting a query may have. */
  maxDepth: 8,
  /** Cost points one operation may request (README: Cost and throttling). */
  maxCost: 5_000,
  /** Aliased fields in one operation, fragments expanded: 30 ways to ask for the same field. */
  maxAliases: 30,
  /**
   * Fields at the root of one operation, fragments expanded. A dashboard asks for a dozen reports
   * in one round trip (console/src/queries.ts); their cost, not their number, is what is priced.
   */
  maxRootFields: 20,
  /** Request body, in bytes (checked before parsing). */
  maxBodyBytes: 1_048_576,
  /** Size assumed for a list field with no slicing argument, declared default or `assumedSize`. */
  defaultListSize: 20,
};

export interface OperationMeasure {
  depth: number;
  /** Cost points: each field its `@cost` weight (1 without), lists counted at their `@listSize`. */
  cost: number;
  aliases: number;
  rootFields: number;
}

export function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });
}

interface FieldPrice {
  weight: number;
  slicingArguments: readonly string[];
  assumedSize: number | undefined;
}

const prices = new WeakMap<GraphQLField<unknown, unknown>, FieldPrice>();

/** Given a field definition, returns its price from its `@cost` and `@listSize` directives (read once per field). */
function priceOf(field: GraphQLField<unknown, unknown>, cost: GraphQLDirective | null | undefined, listSize: GraphQLDirective | null | undefined): FieldPrice {
  let price = prices.get(field);
  if (!price) {
    const node = field.astNode ?? undefined;
    const costArgs = cost && node ? getDirectiveValues(cost, node) : undefined;
    const sizeArgs = listSize && node ? getDirectiveValues(listSize, node) : undefined;
    price = {
      weight: typeof costArgs?.weight === 'number' ? costArgs.weight : 1,
      slicingArguments: (sizeArgs?.slicingArguments as string[] | undefined) ?? [],
      assumedSize: typeof sizeArgs?.assumedSize === 'number' ? sizeArgs.assumedSize : undefined,
    };
    prices.set(field, price);
  }
  return price;
}

/**
 * Given the schema, an operation, its fragments and the request's raw variables, returns its
 * depth, cost, aliases and root fields. Arguments are the values the request supplies: a
 * variable's value, else its default in the operation, else the argument's default in the SDL,
 * so `query($f: Int = 100) { customers(first: $f) ... }` costs what `customers(first: 100)` does.
 */
export function measureOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  rawVariables: Record<string, unknown>,
): OperationMeasure {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables, { maxErrors: 1 });
  // Variables that do not coerce fail the request later; until then, measure with what coerces.
  const variables = coerced.coerced ?? {};
  const costDirective = schema.getDirective('cost');
  const listSizeDirective = schema.getDirective('listSize');
  let aliases = 0;
  let rootFields = 0;

  const sizeOf = (field: GraphQLField<unknown, unknown>, price: FieldPrice, node: Parameters<typeof getArgumentValues>[1]): number => {
    if (price.slicingArguments.length === 0) return 1;
    let args: Record<string, unknown> = {};
    try {
      args = getArgumentValues(field, node, variables);
    } catch {
      // An invalid argument fails validation or execution; it cannot make the estimate smaller.
    }
    for (const name of price.slicingArguments) {
      const value = args[name];
      if (typeof value === 'number') return Math.max(1, value);
    }
    return price.assumedSize ?? limits.defaultListSize;
  };

  const visit = (set: SelectionSetNode, type: GraphQLCompositeType, depth: number, seen: ReadonlySet<string>): { depth: number; cost: number } => {
    let maxDepth = depth;
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        if (selection.alias) aliases += 1;
        if (depth === 0) rootFields += 1;
        const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
        // An unknown field fails validation; it has no price.
        if (!field) continue;
        const price = priceOf(field, costDirective, listSizeDirective);
        cost += price.weight;
        const childType = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(childType)) {
          const child = visit(selection.selectionSet, childType, depth + 1, seen);
          maxDepth = Math.max(maxDepth, child.depth);
          cost += sizeOf(field, price, selection) * child.cost;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        const child = visit(selection.selectionSet, condition && isCompositeType(condition) ? condition : type, depth, seen);
        maxDepth = Math.max(maxDepth, child.depth);
        cost += child.cost;
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || seen.has(name)) continue;
        const condition = schema.getType(fragment.typeCondition.name.value);
        const child = visit(fragment.selectionSet, condition && isCompositeType(condition) ? condition : type, depth, new Set([...seen, name]));
        maxDepth = Math.max(maxDepth, child.depth);
        cost += child.cost;
      }
    }
    return { depth: maxDepth, cost };
  };

  const root = schema.getRootType(operation.operation);
  if (!root) return { depth: 0, cost: 0, aliases: 0, rootFields: 0 };
  const { depth, cost } = visit(operation.selectionSet, root, 0, new Set());
  return { depth, cost, aliases, rootFields };
}

/** Given a measure, returns the error refusing it, or undefined when it is within every limit. */
export function limitViolation(measure: OperationMeasure): GraphQLError | undefined {
  if (measure.depth > limits.maxDepth) return tooComplex(`Query depth ${measure.depth} exceeds the limit of ${limits.maxDepth}`);
  if (measure.aliases > limits.maxAliases) return tooComplex(`${measure.aliases} aliases exceed the limit of ${limits.maxAliases}`);
  if (measure.rootFields > limits.maxRootFields) return tooComplex(`${measure.rootFields} root fields exceed the limit of ${limits.maxRootFields}`);
  if (measure.cost > limits.maxCost) return tooComplex(`Query cost ${measure.cost} exceeds the limit of ${limits.maxCost}`);
  return undefined;
}

/** Given a resolved operation's document, returns its fragments by name. */
export function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  return Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
}
