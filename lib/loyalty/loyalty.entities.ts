import { Entity, type EntityItem } from 'electrodb';
import type { ActionRule, Rounding } from './earn.js';
import type { ExpiryPolicy, LedgerEntry, LedgerState } from './ledger.js';
import type { TierConfig } from './tiers.js';
import { registerEntities } from '../db/registry.js';

/**
 * The loyalty domain's items. Two partitions per shop matter for reads:
 * - the shop's loyalty configuration (`loyaltyConfig` collection: the program and the rewards
 *   catalogue), read in one Query;
 * - each customer's partition (shared with the customer item): the member (ledger state,
 *   materialised balance, tier, the most recent entries), its immutable ledger entries and the
 *   receipts that make every earn, clawback, adjustment and redemption happen once.
 * Every write to a member is conditioned on its `version`, in one transaction with its entries.
 */

export type EnrollmentMode = 'AUTOMATIC' | 'OPT_IN' | 'HYBRID';

/** One program per shop. */
export const LoyaltyProgramEntity = new Entity({
  model: { entity: 'loyaltyprogram', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    enrollment: { type: ['AUTOMATIC', 'OPT_IN', 'HYBRID'] as const, required: true },
    pointsName: { type: 'string', required: true },
    /** Points per major currency unit, as the decimal it was written as. */
    pointsPerUnit: { type: 'number', required: true },
    rounding: { type: ['FLOOR', 'ROUND', 'CEIL'] as const, required: true },
    includeShipping: { type: 'boolean', required: true },
    includeTax: { type: 'boolean', required: true },
    pendingDays: { type: 'number', required: true },
    expiry: { type: 'any', required: true },
    allowNegative: { type: 'boolean', required: true },
    actions: { type: 'any', required: true },
    /** Null until the shop configures tiers. */
    tierConfig: { type: 'any' },
    version: { type: 'number', required: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
  },
  indexes: {
    byShop: {
      collection: 'loyaltyConfig',
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

export type LoyaltyProgramItem = Omit<EntityItem<typeof LoyaltyProgramEntity>, 'expiry' | 'actions' | 'tierConfig'> & {
  expiry: ExpiryPolicy;
  actions: ActionRule[];
  tierConfig?: TierConfig | null;
  rounding: Rounding;
};

export type RewardKind = 'FIXED_AMOUNT' | 'PERCENTAGE' | 'FREE_SHIPPING' | 'FREE_PRODUCT';

/** A reward of the catalogue. `stock` (when set) is decremented in the redemption transaction. */
export const LoyaltyRewardEntity = new Entity({
  model: { entity: 'loyaltyreward', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    rewardId: { type: 'string', required: true, readOnly: true },
    name: { type: 'string', required: true },
    kind: { type: ['FIXED_AMOUNT', 'PERCENTAGE', 'FREE_SHIPPING', 'FREE_PRODUCT'] as const, required: true },
    /** Minor units for FIXED_AMOUNT, percent for PERCENTAGE. */
    value: { type: 'number' },
    productId: { type: 'string' },
    pointsCost: { type: 'number', required: true },
    minimumOrderAmount: { type: 'number' },
    /** Days an issued coupon stays valid; null for no limit. */
    validityDays: { type: 'number' },
    perCustomerLimit: { type: 'number' },
    stock: { type: 'number' },
    tierRequired: { type: 'string' },
    status: { type: ['ACTIVE', 'ARCHIVED'] as const, required: true },
    version: { type: 'number', required: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
  },
  indexes: {
    byId: {
      collection: 'loyaltyConfig',
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: ['rewardId'], casing: 'none' },
    },
  },
});

export type LoyaltyRewardItem = EntityItem<typeof LoyaltyRewardEntity>;

/** A point in time that counts towards tiers: what was earned (net of clawbacks) and spent. */
export interface QualifyingEvent {
  at: string;
  points: number;
  amount: number;
}

/** How many entries the member item keeps for the storefront statement (the first page). */
export const recentEntriesKept = 10;

/** A stored ledger entry as the member keeps it and the ledger item holds it. */
export type StoredEntry = LedgerEntry & { seq: number };

/**
 * Records are stored as lists of [key, value] pairs: the DynamoDB Streams SDK decodes an empty map
 * as `{}` with no type, which stream consumers cannot read; an empty list is fine.
 */
const storedAsPairs = {
  set: (value: unknown) => (value && !Array.isArray(value) ? Object.entries(value as object) : value),
  get: (value: unknown) => (Array.isArray(value) ? Object.fromEntries(value as Array<[string, unknown]>) : value),
};

/** A customer's loyalty account. */
export const LoyaltyMemberEntity = new Entity({
  model: { entity: 'loyaltymember', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    /** False for a member the program tracks (AUTOMATIC/HYBRID base earn) who has not joined. */
    joined: { type: 'boolean', required: true },
    joinedAt: { type: 'string' },
    state: { type: 'any', required: true },
    /** Materialised at write time; the read path recomputes available/pending from `availableAt`. */
    lifetimeEarned: { type: 'number', required: true },
    lifetimeSpent: { type: 'number', required: true },
    shortfall: { type: 'number', required: true },
    tierId: { type: 'string' },
    tierQualifiedAt: { type: 'string' },
    /** A tier config change never takes a tier away before this instant (the old window's end). */
    tierHeldUntil: { type: 'string' },
    qualifying: { type: 'any', required: true },
    /** Instants at which each action bonus was granted (the limits' memory), bounded. */
    actionEarns: { type: 'any', required: true, ...storedAsPairs },
    /** Redemptions per reward (per-customer limits). */
    rewardRedemptions: { type: 'any', required: true, ...storedAsPairs },
    recentEntries: { type: 'any', required: true },
    /** Number of ledger entries written: the next entry's `seq`. */
    seq: { type: 'number', required: true },
    version: { type: 'number', required: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
  },
  indexes: {
    byCustomer: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    membersByShop: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'gsi2sk', composite: ['customerId'], casing: 'none' },
    },
  },
});

export type LoyaltyMemberItem = Omit<
  EntityItem<typeof LoyaltyMemberEntity>,
  'state' | 'qualifying' | 'actionEarns' | 'rewardRedemptions' | 'recentEntries'
> & {
  state: LedgerState;
  qualifying: QualifyingEvent[];
  actionEarns: Record<string, string[]>;
  rewardRedemptions: Record<string, number>;
  recentEntries: StoredEntry[];
};

/** An immutable ledger entry, sorted by time then sequence within the customer. */
export const LoyaltyEntryEntity = new Entity({
  model: { entity: 'loyaltyentry', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    at: { type: 'string', required: true, readOnly: true },
    /** Zero-padded so that the sort key orders numerically. */
    seqKey: { type: 'string', required: true, readOnly: true },
    seq: { type: 'number', required: true, readOnly: true },
    type: { type: ['EARN', 'REDEEM', 'EXPIRE', 'REVERSE', 'ADJUST'] as const, required: true, readOnly: true },
    points: { type: 'number', required: true, readOnly: true },
    reason: { type: 'string', required: true, readOnly: true },
    source: { type: 'any', required: true, readOnly: true },
    lots: { type: 'any', required: true, readOnly: true },
    shortfall: { type: 'number', required: true, readOnly: true },
    overdrawn: { type: 'number', required: true, readOnly: true },
    newLot: { type: 'any', readOnly: true },
  },
  indexes: {
    ledgerByCustomer: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'sk', composite: ['at', 'seqKey'], casing: 'none' },
    },
  },
});

export type LoyaltyEntryItem = EntityItem<typeof LoyaltyEntryEntity>;

/**
 * Proof that one operation (an order's earn, a refund's clawback, an action, an adjustment, a
 * redemption) was applied to a customer's account: created with `attribute_not_exists` in the
 * account's transaction, it makes every trigger land once, whatever the redelivery or retry.
 */
export const LoyaltyReceiptEntity = new Entity({
  model: { entity: 'loyaltyreceipt', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    receiptId: { type: 'string', required: true, readOnly: true },
    /** What the first application returned (points earned, the coupon issued). */
    result: { type: 'any' },
    createdAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'sk', composite: ['receiptId'], casing: 'none' },
    },
  },
});

export type LoyaltyReceiptItem = EntityItem<typeof LoyaltyReceiptEntity>;

/** A coupon issued by a redemption; its code is unique within the shop and unguessable. */
export const LoyaltyCouponEntity = new Entity({
  model: { entity: 'loyaltycoupon', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    code: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    rewardId: { type: 'string', required: true, readOnly: true },
    redemptionId: { type: 'string', required: true, readOnly: true },
    pointsSpent: { type: 'number', required: true, readOnly: true },
    /** The reward as it was when redeemed: later edits do not change issued coupons. */
    kind: { type: ['FIXED_AMOUNT', 'PERCENTAGE', 'FREE_SHIPPING', 'FREE_PRODUCT'] as const, required: true, readOnly: true },
    value: { type: 'number', readOnly: true },
    productId: { type: 'string', readOnly: true },
    minimumOrderAmount: { type: 'number', readOnly: true },
    status: { type: ['ISSUED', 'USED'] as const, required: true },
    orderId: { type: 'string' },
    usedAt: { type: 'string' },
    expiresAt: { type: 'string', readOnly: true },
    createdAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byCode: {
      pk: { field: 'pk', composite: ['tenantId', 'code'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

export type LoyaltyCouponItem = EntityItem<typeof LoyaltyCouponEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    loyaltyCoupon: typeof LoyaltyCouponEntity;
    loyaltyEntry: typeof LoyaltyEntryEntity;
    loyaltyMember: typeof LoyaltyMemberEntity;
    loyaltyProgram: typeof LoyaltyProgramEntity;
    loyaltyReceipt: typeof LoyaltyReceiptEntity;
    loyaltyReward: typeof LoyaltyRewardEntity;
  }
}

registerEntities({ loyaltyCoupon: LoyaltyCouponEntity, loyaltyEntry: LoyaltyEntryEntity, loyaltyMember: LoyaltyMemberEntity, loyaltyProgram: LoyaltyProgramEntity, loyaltyReceipt: LoyaltyReceiptEntity, loyaltyReward: LoyaltyRewardEntity });
