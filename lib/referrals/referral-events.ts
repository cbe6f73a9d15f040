import type { TxEntities, TxItem } from '../db/transactions.js';
import { eventTxItem } from '../events/index.js';
import type { ReferralItem, ReferralProgramItem } from './referrals.entities.js';
import { referralCompleted, referralFlagged, referralStarted } from './referrals.events.js';

const clockAt = (now: string) => ({ now: () => new Date(now) });

function referralFacts(referral: ReferralItem) {
  return { orderId: referral.orderId, code: referral.code, referrerId: referral.referrerId, refereeId: referral.refereeId, orderTotal: referral.orderTotal };
}

/**
 * The events of a new referral, as items of its creating transaction (keyed by the order, which a
 * referral is created for once): `referral.started` when accepted, plus `referral.flagged` with the
 * rules and signals when a fraud rule held it for review. A rejected referral publishes nothing.
 */
export function startedEventItems(entities: TxEntities, referral: ReferralItem, now: string): TxItem[] {
  if (referral.status !== 'PENDING' && referral.status !== 'FLAGGED') return [];
  const shopId = referral.tenantId;
  const items = [
    eventTxItem(entities, referralStarted, {
      shopId,
      factKey: referral.orderId,
      occurredAt: referral.placedAt,
      data: { ...referralFacts(referral), status: referral.status, placedAt: referral.placedAt, holdUntil: referral.holdUntil, refereeCouponCode: referral.refereeCouponCode ?? null },
    }, clockAt(now)),
  ];
  if (referral.status === 'FLAGGED') {
    items.push(
      eventTxItem(entities, referralFlagged, {
        shopId,
        factKey: referral.orderId,
        occurredAt: now,
        data: { ...referralFacts(referral), reason: referral.reason, flags: referral.flags as never, signals: referral.signals as never, flaggedAt: now },
      }, clockAt(now)),
    );
  }
  return items;
}

/** `referral.completed` as an item of the completing write (once per referral: the referral completes once). */
export function completedEventItem(entities: TxEntities, referral: ReferralItem, reason: 'ADMIN_APPROVED' | 'HOLD_PERIOD_PASSED', reward: ReferralProgramItem['referrerReward'], now: string): TxItem {
  return eventTxItem(entities, referralCompleted, {
    shopId: referral.tenantId,
    factKey: referral.orderId,
    occurredAt: now,
    data: {
      ...referralFacts(referral),
      reason,
      reward: reward.type === 'POINTS' ? { type: 'POINTS', points: reward.points } : { type: 'REWARD', rewardId: reward.rewardId },
      completedAt: now,
    },
  }, clockAt(now));
}
