import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !isoPattern.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be an ISO-8601 date-time with an offset, e.g. 2026-03-01T12:00:00Z');
  }
  return value;
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

function literalToJson(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError('Unsupported JSON literal');
  }
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalToJson,
});

const decimalInteger = /^-?(0|[1-9]\d{0,15})$/;

/**
 * Given a scalar's name, returns a GraphQL scalar for integers up to 2^53 - 1 in magnitude: the
 * range a JSON number keeps exactly in every JavaScript client. Output refuses an unsafe value
 * rather than send a rounded one; input takes a number or the same integer as a decimal string.
 */
function safeIntegerScalar(name: string, what: string): GraphQLScalarType<number, number> {
  const refuse = (value: unknown) =>
    new GraphQLError(`${name} must be ${what}: an integer from -9007199254740991 to 9007199254740991, got ${describe(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  const parse = (value: unknown): number => {
    const n = typeof value === 'string' && decimalInteger.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw refuse(value);
    return n;
  };
  return new GraphQLScalarType<number, number>({
    name,
    serialize: (value) => {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        // A stored value past 2^53 would reach the caller rounded: a fault of ours, never sent.
        throw new GraphQLError(`${name} cannot represent ${describe(value)} exactly`);
      }
      return value;
    },
    parseValue: parse,
    parseLiteral: (ast) => {
      if (ast.kind === Kind.INT || ast.kind === Kind.STRING) return parse(ast.kind === Kind.INT ? Number(ast.value) : ast.value);
      throw refuse(ast.kind === Kind.FLOAT ? ast.value : ast.kind);
    },
  });
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value).slice(0, 40);
}

export const MinorUnits = safeIntegerScalar('MinorUnits', 'an amount in minor units');
export const SafeInt = safeIntegerScalar('SafeInt', 'a safe integer');
