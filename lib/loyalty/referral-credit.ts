import { RewardNotFoundError } from './loyalty.errors.js';
import { adjustPoints, getReward, recordAction, redeemReward, type LoyaltyShop } from './loyalty.service.js';

/**
 * Credits a referrer's reward points once per referral (receipt `ADJUST#REFERRAL#<referralId>`):
 * a repeat, or a concurrent second call, credits nothing more and reports `replayed`.
 */
export function creditReferralPoints(shop: LoyaltyShop, customerId: string, referralId: string, points: number, now: string): Promise<{ points: number; replayed: boolean }> {
  return adjustPoints(shop, customerId, { points, reason: 'REFERRAL', idempotencyKey: `REFERRAL#${referralId}` }, now);
}

/**
 * Earns the SOCIAL_SHARE action bonus once per key (receipt `ACTION#SOCIAL_SHARE#<key>`), within
 * the program's action rule and its limits; a refused share is an ActionNotAllowedError.
 */
export function recordSocialShareAction(shop: LoyaltyShop, customerId: string, key: string, at: string, now: string): Promise<{ points: number; replayed: boolean }> {
  return recordAction(shop, customerId, { action: 'SOCIAL_SHARE', idempotencyKey: key, at }, now);
}

/**
 * Grants a referrer a reward of the catalogue once per referral: credits its cost in points and
 * redeems it, both under the key `REFERRAL#<referralId>`, so a retry (after a crash between the
 * two, or concurrently) neither credits nor redeems twice. When the redemption is refused (stock,
 * archived, not a member under OPT_IN), the credited points stay and the refusal is thrown.
 */
export async function grantReferralReward(
  shop: LoyaltyShop,
  customerId: string,
  referralId: string,
  rewardId: string,
  now: string,
): Promise<{ points: number; couponCode: string }> {
  const reward = await getReward(shop.tenantId, rewardId);
  if (!reward) throw new RewardNotFoundError(rewardId);
  const credited = await adjustPoints(shop, customerId, { points: reward.pointsCost, reason: 'REFERRAL', idempotencyKey: `REFERRAL#${referralId}` }, now);
  const { coupon } = await redeemReward(shop, customerId, { rewardId, idempotencyKey: `REFERRAL#${referralId}` }, now);
  return { points: credited.points, couponCode: coupon.code };
}
