import type { Clock } from '../common/clock.js';
import type { TxEntities, TxItem } from '../db/transactions.js';
import { eventTxItem } from '../events/index.js';
import { balance } from './ledger.js';
import type { LoyaltyMemberItem, LoyaltyProgramItem, StoredEntry } from './loyalty.entities.js';
import { loyaltyPointsEarned, loyaltyTierChanged } from './loyalty.events.js';

/** The account write's own instant as the events' clock: a replayed projection records as the first run. */
export function eventClock(now: string): Clock {
  return { now: () => new Date(now) };
}

function tierOf(program: LoyaltyProgramItem, tierId: string | undefined): { tierId: string; name: string } | null {
  if (!tierId) return null;
  const tier = program.tierConfig?.tiers.find((t) => t.id === tierId);
  return { tierId, name: tier?.name ?? tierId };
}

function rankOf(program: LoyaltyProgramItem, tierId: string | undefined): number {
  if (!tierId) return -1;
  return program.tierConfig?.tiers.findIndex((t) => t.id === tierId) ?? -1;
}

/**
 * Given one account write (the member before and after, its new entries), returns the events it
 * reports, as items of the same transaction: one `loyalty.points_earned` per credit entry (keyed by
 * the entry's sequence number, unique per account) and `loyalty.tier_changed` when the tier moved
 * (keyed by the member's new version). The write is guarded by the member's version and, for
 * retried requests, by its receipt, so each fact publishes once.
 */
export function memberEventItems(
  entities: TxEntities,
  args: { tenantId: string; customerId: string; now: string; program: LoyaltyProgramItem; before: LoyaltyMemberItem | undefined; after: LoyaltyMemberItem; stored: readonly StoredEntry[] },
): TxItem[] {
  const { tenantId: shopId, customerId, now, program, before, after } = args;
  const clock = eventClock(now);
  const items: TxItem[] = [];
  const credits = args.stored.filter((entry) => (entry.type === 'EARN' || entry.type === 'ADJUST') && entry.points > 0);
  if (credits.length > 0) {
    const { available, pending } = balance(after.state, now);
    for (const entry of credits) {
      if (entry.source.type === 'REWARD') continue;
      items.push(
        eventTxItem(entities, loyaltyPointsEarned, {
          shopId,
          factKey: `${customerId}#${entry.seq}`,
          occurredAt: entry.at,
          data: { customerId, points: entry.points, sourceType: entry.source.type, sourceId: entry.source.id, reason: entry.reason, earnedAt: entry.at, balance: available + pending },
        }, clock),
      );
    }
  }
  if ((before?.tierId ?? undefined) !== (after.tierId ?? undefined)) {
    items.push(
      eventTxItem(entities, loyaltyTierChanged, {
        shopId,
        factKey: `${customerId}#v${after.version}`,
        occurredAt: now,
        data: {
          customerId,
          direction: rankOf(program, after.tierId) > rankOf(program, before?.tierId) ? 'UP' : 'DOWN',
          oldTier: tierOf(program, before?.tierId),
          newTier: tierOf(program, after.tierId),
          changedAt: now,
        },
      }, clock),
    );
  }
  return items;
}
