import { ZodError } from 'zod';
import { DomainError, type DomainErrorCode } from '../common/errors.js';
import type { UserErrorCode } from './__generated__/resolvers.js';

// The domains' codes are the SDL's enum values by name; a domain code the SDL lacks fails here.
const userErrorCodeOf = (code: DomainErrorCode): UserErrorCode => code;

export interface UserError {
  field: string[] | null;
  code: UserErrorCode;
  message: string;
}

/**
 * Given a thrown error, returns it as user errors when it is the caller's (zod validation or a
 * domain rule), with field paths rooted at `root` (the mutation's argument, e.g. "input");
 * any other error is a fault and is re-thrown.
 */
export function toUserErrors(error: unknown, root: string[] = ['input']): UserError[] {
  if (error instanceof ZodError) {
    return error.issues.map((issue) => ({
      field: [...root, ...issue.path.map(String)],
      code: 'INVALID',
      message: issue.message,
    }));
  }
  if (error instanceof DomainError) {
    return [{ field: error.field ? [...root, ...error.field] : null, code: userErrorCodeOf(error.code), message: error.message }];
  }
  throw error;
}

/** Runs a mutation body; business failures come back as `{ userErrors }` with the result null. */
export async function mutation<P extends object>(
  body: () => Promise<P>,
  empty: Omit<P, 'userErrors'> extends infer R ? { [K in keyof R]: R[K] | null | false | 0 | [] } : never,
  root?: string[],
): Promise<P & { userErrors: UserError[] }> {
  try {
    const result = await body();
    return { userErrors: [], ...result };
  } catch (error) {
    return { ...(empty as object), userErrors: toUserErrors(error, root) } as P & { userErrors: UserError[] };
  }
}
