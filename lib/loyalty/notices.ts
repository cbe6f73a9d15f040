import type { Clock } from '../common/clock.js';
import { emit } from '../events/index.js';
import { loyaltyPointsExpiring, loyaltyTierDowngradeUpcoming, pointsExpiringLeadDays, tierDowngradeLeadDays } from './loyalty.events.js';
import { forEachMember, getProgram, memberTier, valueIn } from './loyalty.service.js';
import { reviewWindow, windowEnd } from './tiers.js';

const DAY_MS = 86_400_000;

/**
 * Given a shop and the job's clock, publishes `loyalty.points_expiring` for every batch of points
 * (the lots expiring on one UTC day) that expires within the lead days. Keyed by the customer and
 * that day, so a rerun (hourly) publishes nothing new. Reads only the member list the expiry job
 * already walks. Returns the events written.
 */
export async function noticeExpiringPoints(tenantId: string, clock: Clock): Promise<number> {
  const program = await getProgram(tenantId);
  if (!program || program.expiry.type !== 'AFTER_DAYS') return 0;
  const now = clock.now();
  const horizon = new Date(now.getTime() + pointsExpiringLeadDays * DAY_MS).toISOString();
  let written = 0;
  await forEachMember(tenantId, async (member) => {
    const batches = new Map<string, { points: number; expiresAt: string }>();
    for (const lot of member.state.lots) {
      if (lot.remaining <= 0 || lot.expiresAt === null || lot.expiresAt <= now.toISOString() || lot.expiresAt > horizon) continue;
      const day = lot.expiresAt.slice(0, 10);
      const batch = batches.get(day) ?? { points: 0, expiresAt: lot.expiresAt };
      batch.points += lot.remaining;
      if (lot.expiresAt < batch.expiresAt) batch.expiresAt = lot.expiresAt;
      batches.set(day, batch);
    }
    for (const [day, batch] of batches) {
      const { created } = await emit(loyaltyPointsExpiring, {
        shopId: tenantId,
        factKey: `${member.customerId}#${day}`,
        occurredAt: now.toISOString(),
        data: { customerId: member.customerId, points: batch.points, expiresAt: batch.expiresAt, daysBefore: pointsExpiringLeadDays },
      }, clock);
      if (created) written++;
    }
  });
  return written;
}

/**
 * Given a shop and the job's clock, publishes `loyalty.tier_downgrade_upcoming` for every member
 * whose tier is reviewed within the lead days while their qualifying value is below the tier's
 * retain threshold. Keyed by the customer and the review instant: once per window.
 */
export async function noticeUpcomingDowngrades(tenantId: string, clock: Clock): Promise<number> {
  const program = await getProgram(tenantId);
  const config = program?.tierConfig;
  if (!config) return 0;
  const now = clock.now().toISOString();
  const horizon = new Date(clock.now().getTime() + tierDowngradeLeadDays * DAY_MS).toISOString();
  let written = 0;
  await forEachMember(tenantId, async (member) => {
    if (!member.tierId || (member.tierHeldUntil && member.tierHeldUntil > now)) return;
    const current = memberTier(member);
    const end = windowEnd(config, current);
    const window = reviewWindow(config, current);
    const tier = config.tiers.find((t) => t.id === member.tierId);
    if (!end || !window || !tier || end <= now || end > horizon) return;
    const value = valueIn(config, member.qualifying, window);
    if (value >= tier.retainThreshold) return;
    const { created } = await emit(loyaltyTierDowngradeUpcoming, {
      shopId: tenantId,
      factKey: `${member.customerId}#${end}`,
      occurredAt: now,
      data: { customerId: member.customerId, tier: { tierId: tier.id, name: tier.name }, reviewAt: end, value, retainThreshold: tier.retainThreshold },
    }, clock);
    if (created) written++;
  });
  return written;
}
