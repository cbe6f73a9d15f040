import { z } from 'zod';
import { maxPoints, minorUnits, pointsAmount, safeThreshold } from '../common/amounts.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const points = pointsAmount();
const amount = minorUnits();
const idempotencyKey = text(200).nullish();

const knownActions = ['SIGNUP', 'FIRST_ORDER', 'BIRTHDAY', 'NEWSLETTER_OPT_IN', 'SOCIAL_SHARE', 'REVIEW', 'SURVEY_COMPLETED', 'REFERRAL'] as const;
/** A built-in action or `CUSTOM:<key>`. */
export const actionType = z.union([
  z.enum(knownActions),
  z.string().regex(/^CUSTOM:[A-Za-z0-9_.-]{1,64}$/, 'a built-in action or CUSTOM:<key>') as z.ZodType<`CUSTOM:${string}`>,
]);

const actionLimit = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ONCE_EVER') }),
  z.object({ type: z.literal('PER_DAY'), max: z.number().int().min(1).max(1000) }),
  z.object({ type: z.literal('PER_MONTH'), max: z.number().int().min(1).max(1000) }),
  z.object({ type: z.literal('PER_YEAR'), max: z.number().int().min(1).max(1000) }),
  z.object({ type: z.literal('PER_ROLLING_DAYS'), days: z.number().int().min(1).max(3660), max: z.number().int().min(1).max(1000) }),
]);

const actionRule = z.object({
  action: actionType,
  points,
  enabled: z.boolean().nullish().transform((v) => v ?? true),
  limits: z.array(actionLimit).max(5).nullish().transform((v) => v ?? []),
});

const expiryPolicy = z
  .object({ type: z.enum(['NEVER', 'AFTER_DAYS', 'INACTIVITY']), days: z.number().int().min(1).max(3660).nullish() })
  .superRefine((policy, ctx) => {
    if (policy.type !== 'NEVER' && !policy.days) ctx.addIssue({ code: 'custom', path: ['days'], message: `${policy.type} needs days` });
  })
  .transform((policy) => (policy.type === 'NEVER' ? { type: 'NEVER' as const } : { type: policy.type, days: policy.days! }));

export const loyaltyProgramUpdateInput = z
  .object({
    enrollment: z.enum(['AUTOMATIC', 'OPT_IN', 'HYBRID']).nullish(),
    pointsName: text(40).nullish(),
    pointsPerUnit: z.number().min(0).max(10_000).nullish(),
    rounding: z.enum(['FLOOR', 'ROUND', 'CEIL']).nullish(),
    includeShipping: z.boolean().nullish(),
    includeTax: z.boolean().nullish(),
    pendingDays: z.number().int().min(0).max(365).nullish(),
    expiry: expiryPolicy.nullish(),
    allowNegative: z.boolean().nullish(),
    actions: z.array(actionRule).max(50).nullish(),
    /** The version read; a stale one is a conflict rather than a lost update. */
    expectedVersion: z.number().int().min(0).nullish(),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    (input.actions ?? []).forEach((rule, index) => {
      if (seen.has(rule.action)) ctx.addIssue({ code: 'custom', path: ['actions', index, 'action'], message: 'each action once' });
      seen.add(rule.action);
    });
  });
export type LoyaltyProgramUpdateInput = z.infer<typeof loyaltyProgramUpdateInput>;

const tierInput = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and -'),
    name: text(60),
    entryThreshold: safeThreshold(),
    retainThreshold: safeThreshold().nullish(),
    multiplier: z.number().min(0.01).max(100).nullish().transform((v) => v ?? 1),
    freeShipping: z.boolean().nullish().transform((v) => v ?? false),
    perks: z.array(text(200)).max(20).nullish().transform((v) => v ?? []),
  })
  .transform((tier) => ({ ...tier, retainThreshold: tier.retainThreshold ?? tier.entryThreshold }));

export const loyaltyTierConfigInput = z.object({
  metric: z.enum(['POINTS_EARNED', 'AMOUNT_SPENT']),
  window: z.enum(['LIFETIME', 'CALENDAR_YEAR', 'ROLLING_12_MONTHS']),
  tiers: z.array(tierInput).max(10),
  expectedVersion: z.number().int().min(0).nullish(),
});
export type LoyaltyTierConfigInput = z.infer<typeof loyaltyTierConfigInput>;

/** `customer` is a Customer global id, required with a secret key; storefronts act for `me`. */
const customerRef = z.string().min(1).max(300).nullish();

export const loyaltyJoinInput = z.object({ customer: customerRef });

export const loyaltyActionRecordInput = z.object({
  customer: customerRef,
  action: actionType,
  idempotencyKey: text(200),
  at: z.iso.datetime({ offset: true }).nullish(),
});
export type LoyaltyActionRecordInput = z.infer<typeof loyaltyActionRecordInput>;

export const loyaltyPointsAdjustInput = z.object({
  customer: z.string().min(1).max(300),
  points: pointsAmount({ min: -maxPoints }).refine((v) => v !== 0, 'must not be 0'),
  reason: text(500),
  idempotencyKey: text(200),
});
export type LoyaltyPointsAdjustInput = z.infer<typeof loyaltyPointsAdjustInput>;

const rewardFields = {
  name: text(120),
  kind: z.enum(['FIXED_AMOUNT', 'PERCENTAGE', 'FREE_SHIPPING', 'FREE_PRODUCT']),
  value: minorUnits({ min: 1 }).nullish(),
  productId: text(100).nullish(),
  pointsCost: points,
  minimumOrderAmount: amount.nullish(),
  validityDays: z.number().int().min(1).max(3660).nullish(),
  perCustomerLimit: z.number().int().min(1).max(10_000).nullish(),
  stock: z.number().int().min(0).max(10_000_000).nullish(),
  tierRequired: text(40).nullish(),
};

function checkReward<T extends { kind?: string | null | undefined; value?: number | null | undefined; productId?: string | null | undefined }>(
  reward: T,
  ctx: z.RefinementCtx<T>,
): void {
  if ((reward.kind === 'FIXED_AMOUNT' || reward.kind === 'PERCENTAGE') && !reward.value) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `${reward.kind} needs a value` });
  }
  if (reward.kind === 'PERCENTAGE' && reward.value && reward.value > 100) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: 'a percentage is at most 100' });
  }
  if (reward.kind === 'FREE_PRODUCT' && !reward.productId) {
    ctx.addIssue({ code: 'custom', path: ['productId'], message: 'FREE_PRODUCT needs a productId' });
  }
}

export const loyaltyRewardCreateInput = z.object({ ...rewardFields, idempotencyKey }).superRefine(checkReward);
export type LoyaltyRewardCreateInput = z.infer<typeof loyaltyRewardCreateInput>;

export const loyaltyRewardUpdateInput = z
  .object({
    rewardId: text(100),
    name: rewardFields.name.nullish(),
    kind: rewardFields.kind.nullish(),
    value: rewardFields.value,
    productId: rewardFields.productId,
    pointsCost: points.nullish(),
    minimumOrderAmount: rewardFields.minimumOrderAmount,
    validityDays: rewardFields.validityDays,
    perCustomerLimit: rewardFields.perCustomerLimit,
    stock: rewardFields.stock,
    tierRequired: rewardFields.tierRequired,
  })
  .superRefine(checkReward);
export type LoyaltyRewardUpdateInput = z.infer<typeof loyaltyRewardUpdateInput>;

export const loyaltyRewardArchiveInput = z.object({ rewardId: text(100) });

export const loyaltyRewardRedeemInput = z.object({
  customer: customerRef,
  rewardId: text(100),
  idempotencyKey,
});
export type LoyaltyRewardRedeemInput = z.infer<typeof loyaltyRewardRedeemInput>;

export const loyaltyCouponValidateInput = z.object({
  code: text(64),
  /** The order's subtotal after discounts, to check a minimum order amount. */
  orderAmount: amount.nullish(),
});

export const loyaltyCouponMarkUsedInput = z.object({ code: text(64), orderId: text(200) });

export const loyaltyCartInput = z.object({
  currencyCode: z.string().regex(/^[A-Z]{3}$/).nullish(),
  subtotal: amount,
  discounts: amount.nullish().transform((v) => v ?? 0),
  shipping: amount.nullish().transform((v) => v ?? 0),
  tax: amount.nullish().transform((v) => v ?? 0),
});
export type LoyaltyCartInput = z.infer<typeof loyaltyCartInput>;
