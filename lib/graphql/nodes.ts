import type { ResolversParentTypes } from './__generated__/resolvers.js';
import type { GraphQLContext } from './context.js';
import type { NodeType } from './ids.js';

/**
 * Reads one object of a Node type by its local id for `node(id)`, with the same scope checks and
 * visibility rules as the type's own query (each domain declares its fetchers next to that query
 * and uses them there too). Null when it does not exist or the caller may not see it.
 */
export type NodeFetcher<T extends NodeType> = (ctx: GraphQLContext, localId: string) => Promise<ResolversParentTypes[T] | null>;

export type NodeFetchers<T extends NodeType> = { [K in T]: NodeFetcher<K> };

// The type of a value `node(id)` returns is the type named by the id, recorded here when it is
// fetched: stored items carry no type name, and guessing it from their attributes breaks as soon
// as two types share one.
const typeOfNode = new WeakMap<object, NodeType>();

export function asNode<T extends object>(type: NodeType, value: T): T {
  typeOfNode.set(value, type);
  return value;
}

export function nodeTypeOf(value: object): NodeType | undefined {
  return typeOfNode.get(value);
}
