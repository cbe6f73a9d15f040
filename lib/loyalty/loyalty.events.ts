import { z } from 'zod';
import { defineEvent } from '../events/index.js';

/**
 * How many days before a batch of points expires `loyalty.points_expiring` fires. Shop settings
 * have no lead time for it (yet), so every shop gets this documented default.
 */
export const pointsExpiringLeadDays = 14;
/** How many days before a tier's review window ends `loyalty.tier_downgrade_upcoming` fires. */
export const tierDowngradeLeadDays = 14;

const tier = z.object({ tierId: z.string(), name: z.string() }).nullable();

/** Points were credited to an account: an order, an action bonus, an adjustment or a referral reward. */
export const loyaltyPointsEarned = defineEvent({
  type: 'loyalty.points_earned',
  version: 1,
  description: 'Points were credited to a member’s account (an order, an action bonus such as a survey, an admin adjustment or a referral reward), with the balance after it.',
  data: z.object({
    customerId: z.string(),
    points: z.number().int().positive(),
    /** ORDER, ACTION, ADJUST or REFERRAL: what credited them. */
    sourceType: z.enum(['ORDER', 'ACTION', 'ADJUST', 'REFERRAL']),
    /** The order id, the action's key, the adjustment's key, the referral's id. */
    sourceId: z.string(),
    /** The rule or reason: ORDER, FIRST_ORDER, SURVEY_COMPLETED, REFERRAL, an admin reason... */
    reason: z.string(),
    /** When the points were earned (the order's date for order points). */
    earnedAt: z.string(),
    /** Available and pending points after the credit. */
    balance: z.number().int(),
  }),
  sample: {
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    points: 59,
    sourceType: 'ORDER',
    sourceId: '#1042',
    reason: 'ORDER',
    earnedAt: '2026-03-01T10:15:00.000Z',
    balance: 240,
  },
});

/** Some of a member's points expire soon; once per batch (the points sharing one expiry day). */
export const loyaltyPointsExpiring = defineEvent({
  type: 'loyalty.points_expiring',
  version: 1,
  description: `Points of a member’s account expire in ${pointsExpiringLeadDays} days: the points left in the lots that expire on that day; sent once per batch.`,
  data: z.object({
    customerId: z.string(),
    points: z.number().int().positive(),
    /** The earliest instant a lot of the batch expires. */
    expiresAt: z.string(),
    daysBefore: z.number().int().nonnegative(),
  }),
  sample: { customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c', points: 120, expiresAt: '2026-06-01T10:15:00.000Z', daysBefore: 14 },
});

/** A member's tier changed, up (a threshold reached) or down (a window ended below the retain threshold). */
export const loyaltyTierChanged = defineEvent({
  type: 'loyalty.tier_changed',
  version: 1,
  description: 'A member’s tier changed: UP when a threshold was reached, DOWN when a review window ended below the tier’s retain threshold (or a new ladder placed them lower); old and new tier, null for no tier.',
  data: z.object({
    customerId: z.string(),
    direction: z.enum(['UP', 'DOWN']),
    oldTier: tier,
    newTier: tier,
    changedAt: z.string(),
  }),
  sample: {
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    direction: 'UP',
    oldTier: { tierId: 'silver', name: 'Silver' },
    newTier: { tierId: 'gold', name: 'Gold' },
    changedAt: '2026-03-01T10:15:00.000Z',
  },
});

/** A member's tier review is near and their progress is below the retain threshold; once per window. */
export const loyaltyTierDowngradeUpcoming = defineEvent({
  type: 'loyalty.tier_downgrade_upcoming',
  version: 1,
  description: `A member’s tier is reviewed in ${tierDowngradeLeadDays} days or fewer and their qualifying value is below the tier’s retain threshold: what they still need to keep it; once per review window.`,
  data: z.object({
    customerId: z.string(),
    tier: z.object({ tierId: z.string(), name: z.string() }),
    /** When the review window ends. */
    reviewAt: z.string(),
    /** The qualifying value so far and the value needed to keep the tier (the ladder's metric). */
    value: z.number(),
    retainThreshold: z.number(),
  }),
  sample: {
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    tier: { tierId: 'gold', name: 'Gold' },
    reviewAt: '2027-01-01T00:00:00.000Z',
    value: 300,
    retainThreshold: 500,
  },
});

/** A member redeemed a reward and received its coupon (once per redemption). */
export const loyaltyRewardRedeemed = defineEvent({
  type: 'loyalty.reward_redeemed',
  version: 1,
  description: 'A member redeemed a reward of the catalogue: the points spent and the coupon issued (its code is the customer’s to use).',
  data: z.object({
    customerId: z.string(),
    rewardId: z.string(),
    redemptionId: z.string(),
    pointsSpent: z.number().int().nonnegative(),
    couponCode: z.string(),
    kind: z.string(),
    expiresAt: z.string().nullable(),
    redeemedAt: z.string(),
  }),
  sample: {
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    rewardId: 'rw_coffee',
    redemptionId: 'redeem-7',
    pointsSpent: 500,
    couponCode: 'K3QZ-8MWD-2XPA-7RTN',
    kind: 'FIXED_AMOUNT',
    expiresAt: '2026-04-01T10:15:00.000Z',
    redeemedAt: '2026-03-02T09:00:00.000Z',
  },
});

export const loyaltyEvents = [loyaltyPointsEarned, loyaltyPointsExpiring, loyaltyTierChanged, loyaltyTierDowngradeUpcoming, loyaltyRewardRedeemed];
