import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import { isWellFormedText, maxIdLength } from '../common/input.js';

/** Cursors are signed (and verified) and longer than an id; they get a bound of their own. */
const maxCursorLength = 4096;
const cursorArguments = new Set(['after', 'before']);

function badInput(message: string, argumentName: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 }, argumentName } });
}

function requireWellFormed(value: unknown, path: string, argumentName: string): void {
  if (typeof value === 'string') {
    if (!isWellFormedText(value)) throw badInput(`${path} must be well-formed Unicode text (it holds a lone surrogate)`, argumentName);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => requireWellFormed(item, `${path}.${index}`, argumentName));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      requireWellFormed(key, path, argumentName);
      requireWellFormed(item, `${path}.${key}`, argumentName);
    }
  }
}

/** A string given directly as a field argument is an id, key or code: it is held to the id limit. */
function requireIdLength(value: unknown, argumentName: string): void {
  const max = cursorArguments.has(argumentName) ? maxCursorLength : maxIdLength;
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (typeof item === 'string' && item.length > max) throw badInput(`${argumentName} is longer than ${max} characters`, argumentName);
  }
}

function literal(node: ValueNode, variables: Record<string, unknown>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.STRING:
      return node.value;
    case Kind.LIST:
      return node.values.map((item) => literal(item, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literal(field.value, variables)]));
    default:
      return undefined;
  }
}

/**
 * Given an operation and its variables, throws BAD_USER_INPUT for a lone surrogate in any string
 * it carries (object keys included), and for a string field argument (an id looked up by key:
 * `externalId`, `orderId`, `id`, `code`) over {@link maxIdLength} characters. Strings inside
 * input objects are bounded by each domain's zod input.
 */
export function checkOperationInputs(document: DocumentNode, variables: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(variables)) requireWellFormed(value, name, name);
  visit(document, {
    Argument(node) {
      const value = literal(node.value, variables);
      requireWellFormed(value, node.name.value, node.name.value);
      requireIdLength(value, node.name.value);
    },
  });
}

/**
 * Refuses, before anything runs, input that no store can hold or no key can carry. Domain rules
 * stay in the zod inputs; this is the one boundary every request crosses.
 */
export function inputGuardPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          checkOperationInputs(document, request.variables ?? {});
        },
      };
    },
  };
}
