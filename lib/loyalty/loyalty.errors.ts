/**
 * Business failures of the loyalty domain. The service turns them into `userErrors`; anything else
 * (a RangeError for malformed input that zod should have rejected, an SDK fault) is a fault.
 */
export class LoyaltyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A redemption or deduction asked for more points than the account can give. */
export class InsufficientPointsError extends LoyaltyError {
  constructor(
    readonly available: number,
    readonly requested: number,
  ) {
    super(`Insufficient points: ${available} available, ${requested} requested`);
  }
}

/** A clawback named a source that has no lot on the account (never earned, or pruned). */
export class SourceNotEarnedError extends LoyaltyError {
  constructor(
    readonly sourceType: string,
    readonly sourceId: string,
  ) {
    super(`No points were earned for ${sourceType} ${sourceId}`);
  }
}

/** Partial refunds of one order disagreed on the order's eligible amount. */
export class RefundMismatchError extends LoyaltyError {
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
  constructor(readonly reason: string) {
    super(`Invalid tier configuration: ${reason}`);
  }
}
