import { DomainError } from '../common/errors.js';

/** Root of the referral domain's business failures. */
export abstract class ReferralError extends DomainError {}

export class ReferralProgramNotFoundError extends ReferralError {
  readonly code = 'NOT_FOUND' as const;
  constructor() {
    super('This shop has no referral program yet');
  }
}

export class ReferralProgramDisabledError extends ReferralError {
  readonly code = 'INVALID' as const;
  constructor() {
    super('The referral program is switched off');
  }
}

export class ReferralProgramVersionConflictError extends ReferralError {
  readonly code = 'CONFLICT' as const;
  constructor(readonly expected: number, readonly actual: number) {
    super(`The referral program is at version ${actual}, not ${expected}`, ['expectedVersion']);
  }
}

export class ReferralCodeTakenError extends ReferralError {
  readonly code = 'REFERRAL_CODE_TAKEN' as const;
  constructor(readonly requested: string) {
    super(`The code ${requested} is taken`, ['vanity']);
  }
}

export class ReferralCodeInvalidError extends ReferralError {
  readonly code = 'INVALID' as const;
  constructor(readonly requested: string, readonly problem: string) {
    super(`The code ${requested} ${problem}`, ['vanity']);
  }
}

export class ReferralCustomerNotFoundError extends ReferralError {
  readonly code = 'NOT_FOUND' as const;
  constructor() {
    super('No such customer', ['customer']);
  }
}

export class ReferralNotFoundError extends ReferralError {
  readonly code = 'NOT_FOUND' as const;
  constructor(readonly orderId: string) {
    super(`No referral for order ${orderId}`, ['orderId']);
  }
}

export class ReferralNotReviewableError extends ReferralError {
  readonly code = 'REFERRAL_NOT_REVIEWABLE' as const;
  constructor(readonly orderId: string, readonly status: string) {
    super(`The referral of order ${orderId} is ${status}: only FLAGGED or PENDING referrals can be decided`, ['orderId']);
  }
}

export class ReferralCouponInvalidError extends ReferralError {
  readonly code = 'COUPON_INVALID' as const;
  constructor(readonly couponCode: string, readonly problem: string) {
    super(`Coupon ${couponCode}: ${problem}`, ['code']);
  }
}

/** Too many concurrent writers on one referral item (retries exhausted). */
export class ReferralContentionError extends Error {
  constructor() {
    super('referrals: too much contention');
  }
}
