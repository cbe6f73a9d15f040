import { ZodError } from 'zod';
import { DomainError, type UserErrorCode } from '../common/errors.js';

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
    return [{ field: error.field ? [...root, ...error.field] : null, code: error.code, message: error.message }];
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
