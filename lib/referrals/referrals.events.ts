import { z } from 'zod';
import { defineEvent } from '../events/index.js';
import { referralReasons } from './referrals.entities.js';

const reason = z.enum(referralReasons);

const referral = {
  /** The referee's order that carried the code: a referral's id. */
  orderId: z.string(),
  code: z.string(),
  referrerId: z.string(),
  refereeId: z.string(),
  orderTotal: z.number().int(),
};

const sampleReferral = {
  orderId: '#1042',
  code: 'ANNA-7K2Q',
  referrerId: 'cus_9e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b',
  refereeId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
  orderTotal: 5_940,
};

/** A referred order was accepted as a referral (pending its hold period, or flagged for review). */
export const referralStarted = defineEvent({
  type: 'referral.started',
  version: 1,
  description: 'A referee’s first order carried a referrer’s code and was accepted as a referral: PENDING until its hold period ends, or FLAGGED for review.',
  data: z.object({
    ...referral,
    status: z.enum(['PENDING', 'FLAGGED']),
    placedAt: z.string(),
    holdUntil: z.string(),
    /** The referee's coupon, when one was issued. */
    refereeCouponCode: z.string().nullable(),
  }),
  sample: { ...sampleReferral, status: 'PENDING', placedAt: '2026-03-01T10:15:00.000Z', holdUntil: '2026-03-31T10:15:00.000Z', refereeCouponCode: 'FRIEND-Q8WM-3KTP' },
});

/** A referral's hold period passed with its order standing: the referrer's reward is owed. */
export const referralCompleted = defineEvent({
  type: 'referral.completed',
  version: 1,
  description: 'A referral completed (its hold period passed with the order standing, or an admin approved it): the referrer’s reward, points or a catalogue reward, is owed.',
  data: z.object({
    ...referral,
    reason: reason,
    reward: z.discriminatedUnion('type', [
      z.object({ type: z.literal('POINTS'), points: z.number().int().nonnegative() }),
      z.object({ type: z.literal('REWARD'), rewardId: z.string() }),
    ]),
    completedAt: z.string(),
  }),
  sample: { ...sampleReferral, reason: 'HOLD_PERIOD_PASSED', reward: { type: 'POINTS', points: 500 }, completedAt: '2026-03-31T12:00:00.000Z' },
});

/** A referral tripped a fraud rule and waits for an admin's review. */
export const referralFlagged = defineEvent({
  type: 'referral.flagged',
  version: 1,
  description: 'A referral tripped one or more fraud rules and waits for review: the rules (first is the reason) and the signals that explain them.',
  data: z.object({
    ...referral,
    reason: reason,
    flags: z.array(reason),
    /** Why: what the rules saw (shared address, IP or payment; velocity and limit counts). */
    signals: z.object({
      selfReferral: z.boolean(),
      refereeEarlierOrders: z.number().int(),
      sharedShippingAddress: z.boolean(),
      sharedIp: z.boolean(),
      sharedPayment: z.boolean(),
      referrerReferralsInVelocityWindow: z.number().int(),
      referrerMonthCount: z.number().int(),
      referrerYearCount: z.number().int(),
    }),
    flaggedAt: z.string(),
  }),
  sample: {
    ...sampleReferral,
    reason: 'SHARED_IP',
    flags: ['SHARED_IP'],
    signals: {
      selfReferral: false,
      refereeEarlierOrders: 0,
      sharedShippingAddress: false,
      sharedIp: true,
      sharedPayment: false,
      referrerReferralsInVelocityWindow: 1,
      referrerMonthCount: 2,
      referrerYearCount: 5,
    },
    flaggedAt: '2026-03-01T10:15:00.000Z',
  },
});

export const referralEvents = [referralStarted, referralCompleted, referralFlagged];
