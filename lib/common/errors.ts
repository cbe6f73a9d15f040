/**
 * Every business failure's code, declared on the ground floor so that no domain depends on the
 * GraphQL layer's codegen. `lib/graphql/user-errors.ts` maps each onto the SDL's `UserErrorCode`
 * (the compiler checks that every code here has its enum value there).
 */
export const domainErrorCodes = [
  'ALREADY_CANCELLED',
  'ALREADY_ERASED',
  'CONFLICT',
  'COUPON_INVALID',
  'CURRENCY_MISMATCH',
  'FORBIDDEN',
  'GUEST_ORDER',
  'IDEMPOTENCY_IN_PROGRESS',
  'INSUFFICIENT_POINTS',
  'INVALID',
  'INVITATION_EXPIRED',
  'INVITATION_USED',
  'LIMIT_REACHED',
  'NOT_A_MEMBER',
  'NOT_FOUND',
  'REFERRAL_CODE_TAKEN',
  'REFERRAL_NOT_REVIEWABLE',
  'REFUND_EXCEEDS_TOTAL',
  'RESPONSE_NOT_EDITABLE',
  'REWARD_UNAVAILABLE',
  'SUM_LIMIT_REACHED',
  'SURVEY_ALREADY_ANSWERED',
  'SURVEY_NOT_ACTIVE',
  'SURVEY_NOT_DRAFT',
] as const;

export type DomainErrorCode = (typeof domainErrorCodes)[number];

/**
 * Root of every domain error: a business failure the caller can act on. Resolvers turn it into a
 * `userErrors` entry (code, input path, message); anything that is not a DomainError is a fault.
 */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** Input path relative to the mutation's `input` argument, when one field is to blame. */
  readonly field: string[] | undefined;

  constructor(message: string, field?: string[]) {
    super(message);
    this.name = new.target.name;
    this.field = field;
  }
}

/** The named thing does not exist for this shop (or belongs to another shop: same answer). */
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND' as const;
}

/** The same natural or idempotency key was used before with a different request. */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT' as const;
}

/** A request with this idempotency key is still being processed. */
export class IdempotencyInProgressError extends DomainError {
  readonly code = 'IDEMPOTENCY_IN_PROGRESS' as const;
}

/** Input that passed its schema but breaks a rule needing context (the clock, the shop). */
export class InvalidInputError extends DomainError {
  readonly code = 'INVALID' as const;
}
