import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

/**
 * The referral domain's items. Every key carries the shop.
 * - the program (one per shop);
 * - a code claim per normalised code: created with `attribute_not_exists`, so two customers can
 *   never hold the same code, and the click counter (`visits`, an atomic ADD);
 * - the referral member (one per customer): the customer's current code and every code they held;
 * - the referral, keyed by the referee's order that triggered it (a replayed order finds it);
 * - the referee claim (one per referee customer): one rewarded referral and one coupon per referee;
 * - counters (per-referrer limits per month/year, per-code visit rate per minute with a TTL);
 * - the referee coupon.
 */

export type ReferralStatus = 'PENDING' | 'FLAGGED' | 'COMPLETED' | 'REJECTED';

export const referralReasons = [
  'PASSED_RULES',
  'HOLD_PERIOD_PASSED',
  'ADMIN_APPROVED',
  'ADMIN_REJECTED',
  'PROGRAM_DISABLED',
  'UNKNOWN_CODE',
  'CODE_EXPIRED',
  'SELF_REFERRAL_CUSTOMER',
  'SELF_REFERRAL_EXTERNAL_ID',
  'SELF_REFERRAL_EMAIL',
  'DUPLICATE_REFEREE',
  'REFEREE_NOT_NEW',
  'BELOW_MINIMUM_ORDER',
  'MONTHLY_LIMIT_REACHED',
  'YEARLY_LIMIT_REACHED',
  'SHARED_SHIPPING_ADDRESS',
  'SHARED_IP',
  'SHARED_PAYMENT',
  'VELOCITY',
  'ORDER_CANCELLED',
  'ORDER_REFUNDED',
] as const;
export type ReferralReason = (typeof referralReasons)[number];

/** Points through the loyalty ledger, or a reward of the loyalty catalogue (its cost credited, then redeemed). */
export type ReferrerReward = { type: 'POINTS'; points: number } | { type: 'REWARD'; rewardId: string };

export interface RefereeReward {
  kind: 'FIXED_AMOUNT' | 'PERCENTAGE' | 'FREE_SHIPPING';
  /** Minor units for FIXED_AMOUNT, percent for PERCENTAGE. */
  value: number;
  minimumOrderAmount: number;
  validityDays: number;
}

export const ReferralProgramEntity = new Entity({
  model: { entity: 'referralprogram', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    enabled: { type: 'boolean', required: true },
    referrerReward: { type: 'any', required: true },
    refereeReward: { type: 'any', required: true },
    minimumOrderAmount: { type: 'number', required: true },
    holdDays: { type: 'number', required: true },
    maxPerMonth: { type: 'number' },
    maxPerYear: { type: 'number' },
    codeLength: { type: 'number', required: true },
    codePrefix: { type: 'string' },
    /** Days a new code stays valid; unset for codes that never expire. */
    codeValidityDays: { type: 'number' },
    urlTemplate: { type: 'string', required: true },
    velocityMax: { type: 'number', required: true },
    velocityWindowHours: { type: 'number', required: true },
    version: { type: 'number', required: true },
    updatedAt: { type: 'string', required: true },
  },
  indexes: {
    byShop: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});
export type ReferralProgramItem = Omit<EntityItem<typeof ReferralProgramEntity>, 'referrerReward' | 'refereeReward'> & {
  referrerReward: ReferrerReward;
  refereeReward: RefereeReward;
};

/** A claim on one normalised code: at most one per code per shop. */
export const ReferralCodeEntity = new Entity({
  model: { entity: 'referralcode', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    code: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    vanity: { type: 'boolean', required: true },
    visits: { type: 'number', required: true, default: 0 },
    expiresAt: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byCode: {
      pk: { field: 'pk', composite: ['tenantId', 'code'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});
export type ReferralCodeItem = EntityItem<typeof ReferralCodeEntity>;

/** A customer's referral membership (in the customer's partition). */
export const ReferralMemberEntity = new Entity({
  model: { entity: 'referralmember', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    code: { type: 'string', required: true },
    /** Every code the customer ever held: old codes keep attributing to them. */
    codes: { type: 'list', items: { type: 'string' }, required: true },
    /** When the current code expires (a new one is drawn on the next request). */
    codeExpiresAt: { type: 'string' },
    version: { type: 'number', required: true },
    createdAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byCustomer: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});
export type ReferralMemberItem = EntityItem<typeof ReferralMemberEntity>;

/** A referral, keyed by the referee's order that created it. */
export const ReferralEntity = new Entity({
  model: { entity: 'referral', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    orderId: { type: 'string', required: true, readOnly: true },
    code: { type: 'string', required: true },
    /** 'NONE' when the code matched nobody. */
    referrerId: { type: 'string', required: true },
    refereeId: { type: 'string', required: true },
    status: { type: ['PENDING', 'FLAGGED', 'COMPLETED', 'REJECTED'] as const, required: true },
    /** The rule that decided the current status. */
    reason: { type: referralReasons, required: true },
    /** Every review rule that matched (FLAGGED). */
    flags: { type: 'list', items: { type: 'string' }, required: true },
    signals: { type: 'any', required: true },
    orderTotal: { type: 'number', required: true },
    placedAt: { type: 'string', required: true },
    holdUntil: { type: 'string', required: true },
    /** Work left: HOLD (wait for the hold period), REVIEW (an admin), PAY (reward the referrer), DONE. */
    queue: { type: ['HOLD', 'REVIEW', 'PAY', 'DONE'] as const, required: true },
    /** Limit counters this referral holds a slot in (released on rejection). */
    limitPeriods: { type: 'list', items: { type: 'string' }, required: true },
    refereeCouponCode: { type: 'string' },
    rewardPoints: { type: 'number' },
    /** The catalogue reward owed to the referrer (REWARD programs), and the coupon it became. */
    rewardId: { type: 'string' },
    referrerCouponCode: { type: 'string' },
    rewardedAt: { type: 'string' },
    decidedAt: { type: 'string', required: true },
    version: { type: 'number', required: true },
    createdAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byOrder: {
      pk: { field: 'pk', composite: ['tenantId', 'orderId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    byReferrer: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'referrerId'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['placedAt', 'orderId'], casing: 'none' },
    },
    byShop: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'gsi2sk', composite: ['placedAt', 'orderId'], casing: 'none' },
    },
    byQueue: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId', 'queue'], casing: 'none' },
      sk: { field: 'gsi3sk', composite: ['holdUntil', 'orderId'], casing: 'none' },
    },
  },
});
export type ReferralItem = EntityItem<typeof ReferralEntity>;

/** One per referee: which referral rewards them and their coupon. */
export const ReferralRefereeEntity = new Entity({
  model: { entity: 'referralreferee', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    code: { type: 'string', required: true },
    orderId: { type: 'string' },
    couponCode: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byCustomer: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});
export type ReferralRefereeItem = EntityItem<typeof ReferralRefereeEntity>;

/** A counter (limits per referrer and period; visit rate per code and minute, with a TTL). */
export const ReferralCounterEntity = new Entity({
  model: { entity: 'referralcounter', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    counterKey: { type: 'string', required: true, readOnly: true },
    count: { type: 'number' },
    ttl: { type: 'number' },
  },
  indexes: {
    byKey: {
      pk: { field: 'pk', composite: ['tenantId', 'counterKey'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

/** The referee's discount coupon for a first order. */
export const ReferralCouponEntity = new Entity({
  model: { entity: 'referralcoupon', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    code: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    referralCode: { type: 'string', required: true, readOnly: true },
    kind: { type: ['FIXED_AMOUNT', 'PERCENTAGE', 'FREE_SHIPPING'] as const, required: true, readOnly: true },
    value: { type: 'number', required: true, readOnly: true },
    minimumOrderAmount: { type: 'number', required: true, readOnly: true },
    status: { type: ['ISSUED', 'USED'] as const, required: true },
    orderId: { type: 'string' },
    usedAt: { type: 'string' },
    expiresAt: { type: 'string', required: true, readOnly: true },
    createdAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byCode: {
      pk: { field: 'pk', composite: ['tenantId', 'code'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});
export type ReferralCouponItem = EntityItem<typeof ReferralCouponEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    referralCode: typeof ReferralCodeEntity;
    referralCounter: typeof ReferralCounterEntity;
    referralCoupon: typeof ReferralCouponEntity;
    referral: typeof ReferralEntity;
    referralMember: typeof ReferralMemberEntity;
    referralProgram: typeof ReferralProgramEntity;
    referralReferee: typeof ReferralRefereeEntity;
  }
}

registerEntities({ referralCode: ReferralCodeEntity, referralCounter: ReferralCounterEntity, referralCoupon: ReferralCouponEntity, referral: ReferralEntity, referralMember: ReferralMemberEntity, referralProgram: ReferralProgramEntity, referralReferee: ReferralRefereeEntity });
