import { createConversions, Entity } from 'electrodb';
import { activityShardOf, activityShards } from './metrics.entities.js';
import type { Granularity, PeriodKey } from './periods.js';
import { registerEntities } from '../db/registry.js';

/**
 * Counters of the loyalty, referral and feedback reports (METRICS.md "Loyalty, referrals,
 * feedback"), kept by the stream projections of `domain-reports.projections.ts`:
 * - a counter item per tenant + report + scope (`ALL`, or a survey id) + granularity + generation
 *   (the metrics state's: a rebuild fills the next one), sorted by period; its counters are
 *   top-level number attributes moved by `ADD` (names in `domain-reports.ts`);
 * - a mark per source item (a ledger entry, a referral, a survey response, an invitation) and
 *   generation: the item version whose contribution the generation's counters hold, and that
 *   contribution. A change moves the counters by new − stored contribution only when its version is
 *   newer, in one transaction with the mark (condition on the version read), so redeliveries,
 *   out-of-order records and a rebuild's replay of the same item all land once.
 */

export type DomainReport = 'LOYALTY' | 'REFERRAL' | 'FEEDBACK';

export const DomainCounterEntity = new Entity({
  model: { entity: 'domainCounter', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    report: { type: ['LOYALTY', 'REFERRAL', 'FEEDBACK'] as const, required: true, readOnly: true },
    scope: { type: 'string', required: true, readOnly: true },
    granularity: { type: ['WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const, required: true, readOnly: true },
    generation: { type: 'string', required: true, readOnly: true },
    period: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byPeriod: {
      pk: { field: 'pk', composite: ['tenantId', 'report', 'scope', 'granularity', 'generation'], casing: 'none' },
      sk: { field: 'sk', composite: ['period'], casing: 'none' },
    },
  },
});

/** The partitions a generation's marks are spread over (hash of the item key), '00'..'15'. */
export const markShards = activityShards;

export const DomainItemMarkEntity = new Entity({
  model: { entity: 'domainItemMark', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    generation: { type: 'string', required: true, readOnly: true },
    shard: { type: 'string', required: true, readOnly: true },
    /** `<projection>#<source item id>`. */
    itemKey: { type: 'string', required: true, readOnly: true },
    /** The source item's version whose contribution the counters hold. */
    version: { type: 'number', required: true },
    /** That contribution (PeriodDelta[]), as JSON: instants, not periods, so any time zone can diff it. */
    deltas: { type: 'string', required: true },
  },
  indexes: {
    byShard: {
      pk: { field: 'pk', composite: ['tenantId', 'generation', 'shard'], casing: 'none' },
      sk: { field: 'sk', composite: ['itemKey'], casing: 'none' },
    },
  },
});

export interface DomainCounterId {
  readonly tenantId: string;
  readonly report: DomainReport;
  readonly scope: string;
  readonly granularity: Granularity;
  readonly generation: number;
  readonly period: PeriodKey;
}

const counterConversions = createConversions(DomainCounterEntity);
const markConversions = createConversions(DomainItemMarkEntity);

/** Given a counter item's identity, returns its table keys. */
export function domainCounterKey(id: DomainCounterId): Record<string, string> {
  return counterConversions.fromComposite.toKeys({ ...id, generation: String(id.generation) }) as Record<string, string>;
}

/** Given an item key, returns its mark shard: the activity items' stable hash, over as many shards. */
export function markShardOf(itemKey: string): string {
  return activityShardOf(itemKey);
}

/** Given a tenant, a generation and a shard, returns the partition key of its marks. */
export function domainItemMarkPartition(tenantId: string, generation: number, shard: string): string {
  return (markConversions.fromComposite.toKeys({ tenantId, generation: String(generation), shard, itemKey: '' }) as Record<string, string>).pk as string;
}

declare module '../db/registry.js' {
  interface EntityRegistry {
    domainCounter: typeof DomainCounterEntity;
    domainItemMark: typeof DomainItemMarkEntity;
  }
}

registerEntities({ domainCounter: DomainCounterEntity, domainItemMark: DomainItemMarkEntity });
