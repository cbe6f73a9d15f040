/** The console's GraphQL client: one POST per view, errors turned into sentences a person can act on. */

declare const __API_URL__: string;
/** Baked in at build time for a deployed console; the dev console calls its own origin. */
export const apiUrl: string = typeof __API_URL__ === 'string' && __API_URL__ ? __API_URL__ : '/graphql';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly kind: 'auth' | 'forbidden' | 'network' | 'query',
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export async function gql<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError(`The API at ${apiUrl} cannot be reached. Check that it is running and that this console's origin is allowed.`, 'network');
  }
  let body: GraphQLResponse<T>;
  try {
    body = (await response.json()) as GraphQLResponse<T>;
  } catch {
    throw new ApiError(`The API answered HTTP ${response.status} without a GraphQL response.`, 'network');
  }
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code;
    // Apollo prefixes errors raised while authenticating; the rest is the API's own sentence.
    const said = first.message.replace(/^Context creation failed: /, '');
    if (code === 'UNAUTHENTICATED') throw new ApiError(`The API did not accept this key: ${said}. Paste a secret key (sk_…) of your shop.`, 'auth');
    if (code === 'FORBIDDEN') throw new ApiError(`This key may not read this: ${said}.`, 'forbidden');
    throw new ApiError(said, 'query');
  }
  if (!body.data) throw new ApiError(`The API answered HTTP ${response.status} without data.`, 'query');
  return body.data;
}

/**
 * A money amount as a number. Amounts are integer minor units; whether the schema types them as
 * Int or as a safe-integer scalar, JSON carries a number (a string is accepted too, to be safe).
 */
export function amountOf(money: { amount: number | string } | null | undefined): number | null {
  if (!money) return null;
  const value = typeof money.amount === 'string' ? Number(money.amount) : money.amount;
  return Number.isFinite(value) ? value : null;
}
