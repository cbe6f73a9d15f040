import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

export const limits = {
  /** Deepest field nesting a query may have. */
  maxDepth: 8,
  /** Estimated fields resolved, lists counted at their requested size. */
  maxCost: 5_000,
  /** Request body, in bytes (checked before parsing). */
  maxBodyBytes: 1_048_576,
  /** Size assumed for a list argument-less connection. */
  defaultPageSize: 20,
};

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });
}

function numericArgument(value: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return typeof v === 'number' ? v : undefined;
  }
  return undefined;
}

/**
 * Given an operation, returns its depth and an estimated cost: each field costs 1, and whatever
 * is selected under a field with a `first` argument counts `first` times (a page of 100
 * customers with statistics costs about 100 x the fields asked of each).
 */
export function measureOperation(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): { depth: number; cost: number } {
  const visit = (set: SelectionSetNode, depth: number, seen: Set<string>): { depth: number; cost: number } => {
    let maxDepth = depth;
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        cost += 1;
        if (selection.selectionSet) {
          const firstArg = selection.arguments?.find((a) => a.name.value === 'first');
          const multiplier = firstArg ? (numericArgument(firstArg.value, variables) ?? limits.defaultPageSize) : 1;
          const child = visit(selection.selectionSet, depth + 1, seen);
          maxDepth = Math.max(maxDepth, child.depth);
          cost += Math.max(1, multiplier) * child.cost;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const child = visit(selection.selectionSet, depth, seen);
        maxDepth = Math.max(maxDepth, child.depth);
        cost += child.cost;
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || seen.has(name)) continue;
        const child = visit(fragment.selectionSet, depth, new Set([...seen, name]));
        maxDepth = Math.max(maxDepth, child.depth);
        cost += child.cost;
      }
    }
    return { depth: maxDepth, cost };
  };
  return visit(operation.selectionSet, 0, new Set());
}

/** Refuses operations deeper than `maxDepth` or costlier than `maxCost` before they run. */
export function limitsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const fragments = Object.fromEntries(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          const { depth, cost } = measureOperation(operation, fragments, request.variables ?? {});
          if (depth > limits.maxDepth) throw tooComplex(`Query depth ${depth} exceeds the limit of ${limits.maxDepth}`);
          if (cost > limits.maxCost) throw tooComplex(`Query cost ${cost} exceeds the limit of ${limits.maxCost}`);
        },
      };
    },
  };
}
