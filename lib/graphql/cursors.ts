import { GraphQLError } from 'graphql';
import { hmacBase64Url, safeEqual } from '../common/hash.js';

/**
 * Opaque page cursors: the data layer's cursor, bound to the shop and the list it came from, and
 * signed. A forged cursor, or one taken from another shop or list, is a BAD_USER_INPUT, never a
 * query against someone else's partition.
 */
const developmentSecret = 'local-development-cursor-secret';

/**
 * Throws unless cursors can be signed with a secret of this deployment: in production
 * (NODE_ENV=production) CURSOR_SECRET is required, since the development fallback is public and
 * would let anyone forge a cursor. The GraphQL handler calls it when it is built.
 */
export function assertCursorSecretConfigured(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_ENV === 'production' && !env.CURSOR_SECRET) {
    throw new Error('CURSOR_SECRET is not set: production refuses to sign cursors with the development secret');
  }
}

function secret(): string {
  assertCursorSecretConfigured();
  return process.env.CURSOR_SECRET || developmentSecret;
}

export function encodeCursor(tenantId: string, list: string, inner: string | null): string | null {
  if (inner === null) return null;
  const payload = Buffer.from(JSON.stringify({ t: tenantId, l: list, c: inner })).toString('base64url');
  return `${payload}.${hmacBase64Url(secret(), payload)}`;
}

export function decodeCursor(tenantId: string, list: string, cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const [payload, signature, extra] = cursor.split('.');
  const invalid = () => new GraphQLError('Invalid cursor', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } });
  if (!payload || !signature || extra !== undefined || !safeEqual(signature, hmacBase64Url(secret(), payload))) throw invalid();
  let decoded: { t?: unknown; l?: unknown; c?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (decoded.t !== tenantId || decoded.l !== list || typeof decoded.c !== 'string') throw invalid();
  return decoded.c;
}

/** Page sizes: 1..100, default 20. */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw new GraphQLError('`first` must be between 1 and 100', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' } });
  }
  return size;
}

/**
 * Builds a Relay connection from one page, signing each edge's cursor for this shop and list.
 * Pages only go forward (`first`/`after`), so, as the Relay spec allows, hasPreviousPage says
 * whether the page was asked for after a cursor: edges came before it when that cursor was issued.
 */
export function connection<T>(tenantId: string, list: string, page: { items: T[]; cursors: string[]; hasNextPage: boolean }, after: string | null | undefined) {
  const edges = page.items.map((node, index) => ({ node, cursor: encodeCursor(tenantId, list, page.cursors[index]!)! }));
  return {
    edges,
    nodes: page.items,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: after !== null && after !== undefined && after !== '',
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
