import { z } from 'zod';
import { minorUnits, pointsAmount } from '../common/amounts.js';
import { maxCodeLength, minCodeLength } from './codes.js';
import { referralReasons } from './referrals.entities.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const amount = minorUnits();
const customerRef = z.string().trim().min(1).max(300).nullish();

export const referralProgramUpdateInput = z
  .object({
    enabled: z.boolean().nullish(),
    referrerReward: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('POINTS'), points: pointsAmount({ max: 1_000_000 }), rewardId: z.null().optional() }),
        z.object({ type: z.literal('REWARD'), rewardId: text(200), points: z.null().optional() }),
      ])
      .transform((reward) => (reward.type === 'POINTS' ? { type: 'POINTS' as const, points: reward.points } : { type: 'REWARD' as const, rewardId: reward.rewardId }))
      .nullish(),
    refereeReward: z
      .object({
        kind: z.enum(['FIXED_AMOUNT', 'PERCENTAGE', 'FREE_SHIPPING']),
        value: amount,
        minimumOrderAmount: amount.nullish().transform((v) => v ?? 0),
        validityDays: z.number().int().min(1).max(3650).nullish().transform((v) => v ?? 30),
      })
      .superRefine((reward, ctx) => {
        if (reward.kind === 'PERCENTAGE' && (reward.value < 1 || reward.value > 100)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'a percentage is 1..100' });
        if (reward.kind === 'FIXED_AMOUNT' && reward.value < 1) ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be at least 1' });
      })
      .nullish(),
    minimumOrderAmount: amount.nullish(),
    holdDays: z.number().int().min(0).max(365).nullish(),
    maxPerMonth: z.number().int().min(1).max(100_000).nullish(),
    maxPerYear: z.number().int().min(1).max(1_000_000).nullish(),
    codeLength: z.number().int().min(minCodeLength).max(maxCodeLength).nullish(),
    codeValidityDays: z.number().int().min(1).max(3650).nullish(),
    codePrefix: z.string().trim().regex(/^[A-Za-z0-9]{0,8}$/, 'up to 8 letters or digits').nullish(),
    urlTemplate: z
      .string()
      .trim()
      .max(500)
      .refine((v) => v.includes('{code}'), 'must contain {code}')
      .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL')
      .nullish(),
    velocityMax: z.number().int().min(1).max(10_000).nullish(),
    velocityWindowHours: z.number().int().min(1).max(24 * 365).nullish(),
    expectedVersion: z.number().int().min(0).nullish(),
  });
export type ReferralProgramUpdateInput = z.infer<typeof referralProgramUpdateInput>;

export const referralCodeRequestInput = z.object({ customer: customerRef, vanity: text(40).nullish() });

export const referralVisitTrackInput = z.object({ code: z.string().max(100) });

export const referralCodeApplyInput = z.object({ code: text(100), customer: customerRef });

export const referralDecisionInput = z.object({ orderId: text(200) });

export const referralCouponMarkUsedInput = z.object({ code: text(100), orderId: text(200) });

export const socialShareRecordInput = z.object({
  customer: customerRef,
  channel: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9_-]{1,40}$/, 'a channel name such as facebook'),
  url: z.string().trim().max(2000).pipe(z.url()),
});

export const referralFilterInput = z
  .object({
    status: z.enum(['PENDING', 'FLAGGED', 'COMPLETED', 'REJECTED']).nullish(),
    referrer: customerRef,
    reason: z.enum(referralReasons).nullish(),
  })
  .nullish();

export const referralStatsInput = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((v) => Date.parse(v.from) <= Date.parse(v.to), { message: 'from must not be after to', path: ['from'] });
