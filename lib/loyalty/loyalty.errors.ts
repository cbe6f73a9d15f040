import { DomainError } from '../common/errors.js';

/**
 * Business failures of the loyalty domain, turned into `userErrors` by the resolvers; anything else
 * (a RangeError for malformed input that zod should have rejected, an SDK fault) is a fault.
 */
export abstract class LoyaltyError extends DomainError {}

/** A redemption or deduction asked for more points than the account can give. */
export class InsufficientPointsError extends LoyaltyError {
  readonly code = 'INSUFFICIENT_POINTS' as const;
  constructor(
    readonly available: number,
    readonly requested: number,
  ) {
    super(`Insufficient points: ${available} available, ${requested} requested`);
  }
}

/** A clawback named a source that has no lot on the account (never earned, or pruned). */
export class SourceNotEarnedError extends LoyaltyError {
  readonly code = 'NOT_FOUND' as const;
  constructor(
    readonly sourceType: string,
    readonly sourceId: string,
  ) {
    super(`No points were earned for ${sourceType} ${sourceId}`);
  }
}

/** Partial refunds of one order disagreed on the order's eligible amount. */
export class RefundMismatchError extends LoyaltyError {
  readonly code = 'CONFLICT' as const;
  constructor(
    readonly sourceId: string,
    readonly recordedEligibleAmount: number,
    readonly eligibleAmount: number,
  ) {
    super(
      `Refund of ${sourceId} gives eligible amount ${eligibleAmount}, earlier refunds gave ${recordedEligibleAmount}`,
    );
  }
}

/** A tier configuration that cannot be evaluated (thresholds out of order, duplicate ids). */
export class InvalidTierConfigError extends LoyaltyError {
  readonly code = 'INVALID' as const;
  constructor(readonly reason: string) {
    super(`Invalid tier configuration: ${reason}`, ['tiers']);
  }
}

/** The shop has no loyalty program yet (`loyaltyProgramUpdate` creates it). */
export class ProgramNotFoundError extends LoyaltyError {
  readonly code = 'NOT_FOUND' as const;
  constructor() {
    super('This shop has no loyalty program yet');
  }
}

/** The program was changed by someone else since it was read (stale `version`). */
export class ProgramVersionConflictError extends LoyaltyError {
  readonly code = 'CONFLICT' as const;
  constructor(readonly expected: number, readonly actual: number) {
    super(`The program is at version ${actual}, not ${expected}; read it again and retry`, ['expectedVersion']);
  }
}

/** The customer must join the program first (OPT_IN, or HYBRID for rewards and tiers). */
export class NotAMemberError extends LoyaltyError {
  readonly code = 'NOT_A_MEMBER' as const;
  constructor() {
    super('The customer has not joined the loyalty program', ['customer']);
  }
}

export class LoyaltyCustomerNotFoundError extends LoyaltyError {
  readonly code = 'NOT_FOUND' as const;
  constructor() {
    super('No such customer in this shop', ['customer']);
  }
}

/** An action bonus is not configured, switched off, or its limit is reached. */
export class ActionNotAllowedError extends LoyaltyError {
  readonly code = 'LIMIT_REACHED' as const;
  constructor(readonly action: string, readonly reason: string, readonly retryAt: string | null) {
    super(`Action ${action} earns nothing now (${reason})${retryAt ? `; next possible at ${retryAt}` : ''}`, ['action']);
  }
}

export class RewardNotFoundError extends LoyaltyError {
  readonly code = 'NOT_FOUND' as const;
  constructor(readonly rewardId: string) {
    super(`No reward "${rewardId}"`, ['rewardId']);
  }
}

/** The reward is archived, out of stock, above the member's tier or at its per-customer limit. */
export class RewardUnavailableError extends LoyaltyError {
  readonly code = 'REWARD_UNAVAILABLE' as const;
  constructor(readonly rewardId: string, readonly reason: string) {
    super(`Reward "${rewardId}" cannot be redeemed: ${reason}`, ['rewardId']);
  }
}

/** The coupon does not exist for this shop, or cannot be used (used elsewhere, expired, void). */
export class CouponInvalidError extends LoyaltyError {
  readonly code = 'COUPON_INVALID' as const;
  constructor(readonly couponCode: string, readonly reason: string) {
    super(`Coupon "${couponCode}" cannot be used: ${reason}`, ['code']);
  }
}

/** Too many concurrent writes on one account; the caller may retry. */
export class LoyaltyContentionError extends LoyaltyError {
  readonly code = 'CONFLICT' as const;
  constructor() {
    super('Too many concurrent changes to this loyalty account; retry shortly');
  }
}
