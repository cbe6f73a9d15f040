import type { Clock } from '../common/clock.js';
import { listShopIds } from '../shops/index.js';
import { completeDueReferrals } from './referrals.service.js';
import { errorFields, logger } from '../common/logger.js';

/**
 * Scheduled: in every shop, completes the referrals whose hold period has passed (or rejects those
 * whose order no longer stands) and pays owed referrer rewards. Idempotent: each status change is
 * conditioned on the version read, and the loyalty ledger credits each referral once.
 */
export async function runReferralCompletion(clock: Clock): Promise<{ shops: number; completed: number; rejected: number; paid: number }> {
  const now = clock.now().toISOString();
  const totals = { shops: 0, completed: 0, rejected: 0, paid: 0 };
  for (const tenantId of await listShopIds()) {
    totals.shops++;
    try {
      const result = await completeDueReferrals(tenantId, now);
      totals.completed += result.completed;
      totals.rejected += result.rejected;
      totals.paid += result.paid;
    } catch (error) {
      logger.error('referral completion failed', { shop: tenantId, error: errorFields(error) });
    }
  }
  return totals;
}
