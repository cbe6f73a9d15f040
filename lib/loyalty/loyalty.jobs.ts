import type { Clock } from '../common/clock.js';
import { listShopIds } from '../shops/index.js';
import { expireDuePoints, reevaluateTiers } from './loyalty.service.js';
import { noticeExpiringPoints, noticeUpcomingDowngrades } from './notices.js';

/**
 * Scheduled: expires what is due in every shop (AFTER_DAYS lots, INACTIVITY balances). Idempotent:
 * a second run, or an overlapping one, finds nothing more due (each account write is conditioned
 * on the version it read). Pending points need no job: balances read `availableAt` at read time.
 */
export async function runLoyaltyExpiry(clock: Clock): Promise<{ shops: number; members: number; points: number; notices: number }> {
  const now = clock.now().toISOString();
  let members = 0;
  let points = 0;
  let notices = 0;
  const shops = await listShopIds();
  for (const tenantId of shops) {
    const result = await expireDuePoints(tenantId, now);
    members += result.members;
    points += result.points;
    notices += await noticeExpiringPoints(tenantId, clock);
  }
  return { shops: shops.length, members, points, notices };
}

/**
 * Scheduled: re-evaluates, in every shop, the tiers whose qualification window has ended (keep,
 * raise or lower), once per ended window. Idempotent like the expiry job.
 */
export async function runTierReevaluation(clock: Clock): Promise<{ shops: number; evaluated: number; changed: number; notices: number }> {
  const now = clock.now().toISOString();
  let evaluated = 0;
  let changed = 0;
  let notices = 0;
  const shops = await listShopIds();
  for (const tenantId of shops) {
    const result = await reevaluateTiers(tenantId, now);
    evaluated += result.evaluated;
    changed += result.changed;
    notices += await noticeUpcomingDowngrades(tenantId, clock);
  }
  return { shops: shops.length, evaluated, changed, notices };
}
