import { createConversions, Entity, type EntityItem } from 'electrodb';
import type { ActivityOrder, CustomerActivity, PeriodCounterName } from './contribution.js';
import type { Granularity, PeriodKey } from './periods.js';
import { registerEntities } from '../db/registry.js';

const service = 'retention';

/**
 * Per tenant: which generation of counters the reports read, the time zone and revenue basis that
 * generation was computed with, and the generation a rebuild is filling (if any).
 * `stateVersion` moves on every change: each consumer transaction checks it, so no write can land
 * on the counters of a generation the rebuild has switched away from.
 */
export const MetricsStateEntity = new Entity({
  model: { entity: 'metricsState', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    generation: { type: 'number', required: true },
    timeZone: { type: 'string', required: true },
    revenueBasis: { type: ['TOTAL', 'SUBTOTAL'] as const, required: true },
    stateVersion: { type: 'number', required: true },
    buildGeneration: { type: 'number' },
    buildJobId: { type: 'string' },
    buildTimeZone: { type: 'string' },
    buildRevenueBasis: { type: ['TOTAL', 'SUBTOTAL'] as const },
  },
  indexes: {
    byTenant: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

/** Number of partitions a tenant's activity items are spread over (hash of the customer id). */
export const ACTIVITY_SHARDS = 16;

/**
 * Per customer: every order the metrics have seen (bare facts, no personal data, so it outlives
 * erasure), `version` for optimistic concurrency, and `generation`: the newest counter generation
 * the customer's contribution has been added to. Keyed by a per-tenant shard so that a scheduled
 * job (a rebuild, issue 7's model fit) reads a tenant's activities with consistent, paginated
 * queries of `ACTIVITY_SHARDS` partitions, without scanning orders.
 */
export const MetricsActivityEntity = new Entity({
  model: { entity: 'metricsActivity', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    shard: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    /**
     * Order id → [placedAt ms, cancelled 0|1, total, subtotal, refunded, version]. Absent rather
     * than empty (a member who has not ordered yet): stream consumers cannot decode an empty map.
     */
    orders: { type: 'any' },
    /** When the customer joined the loyalty program (epoch ms), as the member projection saw it. */
    joinedAt: { type: 'number' },
    version: { type: 'number', required: true },
    generation: { type: 'number', required: true },
    /**
     * Set while a change too large for one transaction is being applied in chunks (see
     * `applyOrdersToCustomer`): the state before it (stored like `orders`), the counter
     * generations it moves, and how many chunks have landed.
     */
    pendingFrom: { type: 'any' },
    pendingFromJoinedAt: { type: 'number' },
    pendingPlan: { type: 'any' },
    pendingChunk: { type: 'number' },
  },
  indexes: {
    byShard: {
      pk: { field: 'pk', composite: ['tenantId', 'shard'], casing: 'none' },
      sk: { field: 'sk', composite: ['customerId'], casing: 'none' },
    },
  },
});

/**
 * The summed counters of one period (`kind` P: the counters of `PeriodCounterName` as
 * attributes named by `PERIOD_COUNTER_FIELDS`) or of one cohort (`kind` C: per offset k the attributes `a<k>` active customers and
 * `r<k>` revenue), per tenant, granularity and generation. A report over G periods reads O(G)
 * items with one sort-key range, whatever the number of customers; one order change touches a
 * handful of items per granularity (its period, the next, the old and new first period, the old
 * and new cohort). Cohort attributes are open-ended, so the counters are updated and read with
 * plain DynamoDB expressions over the keys this entity builds (`counterKeys`, `counterRangeKeys`);
 * the items hold the counters and `period` only (see `counterKeys`).
 */
/**
 * The attribute each period counter is stored under: two letters, because a report's read
 * capacity is the summed size of its items and the names would otherwise be most of it.
 */
export const PERIOD_COUNTER_FIELDS = {
  activeCustomers: 'ac',
  newCustomers: 'nc',
  retainedFromPrevious: 'rp',
  repeatCustomers: 'rc',
  orders: 'or',
  revenue: 'rv',
  newCustomerRevenue: 'nr',
  newMembers: 'nm',
  memberActiveCustomers: 'ma',
  memberRepeatCustomers: 'mr',
  memberOrders: 'mo',
  memberRevenue: 'mv',
} as const satisfies Record<PeriodCounterName, string>;

const periodCounterOfField = new Map<string, PeriodCounterName>(
  Object.entries(PERIOD_COUNTER_FIELDS).map(([counter, field]) => [field, counter as PeriodCounterName]),
);

/** Given a period item's attribute name, returns the counter it stores, or undefined. */
export function periodCounterOfAttribute(attribute: string): PeriodCounterName | undefined {
  return periodCounterOfField.get(attribute);
}

export const MetricsCounterEntity = new Entity({
  model: { entity: 'metricsCounter', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    granularity: { type: ['WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const, required: true, readOnly: true },
    generation: { type: 'string', required: true, readOnly: true },
    kind: { type: ['P', 'C'] as const, required: true, readOnly: true },
    period: { type: 'string', required: true, readOnly: true },
    activeCustomers: { type: 'number', field: PERIOD_COUNTER_FIELDS.activeCustomers },
    newCustomers: { type: 'number', field: PERIOD_COUNTER_FIELDS.newCustomers },
    retainedFromPrevious: { type: 'number', field: PERIOD_COUNTER_FIELDS.retainedFromPrevious },
    repeatCustomers: { type: 'number', field: PERIOD_COUNTER_FIELDS.repeatCustomers },
    orders: { type: 'number', field: PERIOD_COUNTER_FIELDS.orders },
    revenue: { type: 'number', field: PERIOD_COUNTER_FIELDS.revenue },
    newCustomerRevenue: { type: 'number', field: PERIOD_COUNTER_FIELDS.newCustomerRevenue },
    newMembers: { type: 'number', field: PERIOD_COUNTER_FIELDS.newMembers },
    memberActiveCustomers: { type: 'number', field: PERIOD_COUNTER_FIELDS.memberActiveCustomers },
    memberRepeatCustomers: { type: 'number', field: PERIOD_COUNTER_FIELDS.memberRepeatCustomers },
    memberOrders: { type: 'number', field: PERIOD_COUNTER_FIELDS.memberOrders },
    memberRevenue: { type: 'number', field: PERIOD_COUNTER_FIELDS.memberRevenue },
  },
  indexes: {
    byPeriod: {
      pk: { field: 'pk', composite: ['tenantId', 'granularity', 'generation'], casing: 'none' },
      sk: { field: 'sk', composite: ['kind', 'period'], casing: 'none' },
    },
  },
});

/** A `metricsRebuild` job: progress, and where it resumes. */
export const MetricsRebuildJobEntity = new Entity({
  model: { entity: 'metricsRebuildJob', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    jobId: { type: 'string', required: true, readOnly: true },
    status: { type: ['RUNNING', 'SUCCEEDED', 'FAILED'] as const, required: true },
    /** COUNT: totals; CUSTOMERS: replay orders; PROGRAMS: replay the program reports' sources; VERIFY: sweep activities; CLEANUP: drop the old generation. */
    phase: { type: ['COUNT', 'CUSTOMERS', 'PROGRAMS', 'VERIFY', 'CLEANUP', 'DONE'] as const, required: true },
    /** Where the phase resumes (a page cursor, or `<shard>|<cursor>` in VERIFY). */
    cursor: { type: 'string' },
    generation: { type: 'number', required: true },
    previousGeneration: { type: 'number', required: true },
    timeZone: { type: 'string', required: true },
    revenueBasis: { type: ['TOTAL', 'SUBTOTAL'] as const, required: true },
    totalCustomers: { type: 'number', required: true, default: 0 },
    processedCustomers: { type: 'number', required: true, default: 0 },
    totalOrders: { type: 'number', required: true, default: 0 },
    processedOrders: { type: 'number', required: true, default: 0 },
    version: { type: 'number', required: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
    completedAt: { type: 'string' },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: ['jobId'], casing: 'none' },
    },
  },
});

export type MetricsStateItem = EntityItem<typeof MetricsStateEntity>;
export type MetricsActivityItem = EntityItem<typeof MetricsActivityEntity>;
export type MetricsRebuildJobItem = EntityItem<typeof MetricsRebuildJobEntity>;

/** Given a customer id, returns its activity shard ('00'..'15'): a stable FNV-1a hash. */
export function activityShardOf(customerId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i += 1) {
    hash ^= customerId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return String(hash % ACTIVITY_SHARDS).padStart(2, '0');
}

export const activityShards: readonly string[] = Array.from({ length: ACTIVITY_SHARDS }, (_, i) => String(i).padStart(2, '0'));

type StoredOrder = [number, 0 | 1, number, number, number, number];

/** Given an activity state, returns its stored (compact) orders, undefined when it has none. */
export function storedOrdersOf(activity: CustomerActivity): Record<string, StoredOrder> | undefined {
  const stored: Record<string, StoredOrder> = {};
  for (const [orderId, o] of Object.entries(activity.orders)) {
    stored[orderId] = [o.placedAt, o.status === 'CANCELLED' ? 1 : 0, o.total, o.subtotal, o.refunded, o.version];
  }
  return Object.keys(stored).length > 0 ? stored : undefined;
}

/** Given a stored activity item's orders and join instant, returns the activity state. */
export function activityOf(stored: unknown, joinedAt?: unknown): CustomerActivity {
  const orders: Record<string, ActivityOrder> = {};
  for (const [orderId, value] of Object.entries((stored ?? {}) as Record<string, StoredOrder>)) {
    const [placedAt, cancelled, total, subtotal, refunded, version] = value.map(Number) as StoredOrder;
    orders[orderId] = { placedAt, status: cancelled ? 'CANCELLED' : 'PLACED', total, subtotal, refunded, version };
  }
  return typeof joinedAt === 'number' ? { orders, joinedAt } : { orders };
}

/** The attribute of a cohort item holding offset k's active customers (`a`) or revenue (`r`). */
export function cohortAttribute(offset: number, counter: 'activeCustomers' | 'revenue'): string {
  return `${counter === 'activeCustomers' ? 'a' : 'r'}${offset}`;
}

/** Given a cohort item's attribute name, returns its offset and counter, or undefined. */
export function parseCohortAttribute(name: string): { offset: number; counter: 'activeCustomers' | 'revenue' } | undefined {
  const match = /^([ar])(\d+)$/.exec(name);
  if (!match) return undefined;
  return { offset: Number(match[2]), counter: match[1] === 'a' ? 'activeCustomers' : 'revenue' };
}

export interface CounterItemId {
  tenantId: string;
  granularity: Granularity;
  generation: number;
  kind: 'P' | 'C';
  period: PeriodKey;
}

const counterConversions = createConversions(MetricsCounterEntity);

const generationKey = (generation: number) => String(generation).padStart(6, '0');

/**
 * Given a counter item's identity, returns its table keys and the attributes stored with it
 * besides the counters: only `period`. Counter items are kept small on purpose, since a report's
 * read capacity is their summed size; the rest of their identity is in the keys.
 */
export function counterKeys(id: CounterItemId): { key: Record<string, string>; attributes: Record<string, string> } {
  const composite = { tenantId: id.tenantId, granularity: id.granularity, generation: generationKey(id.generation), kind: id.kind, period: id.period };
  const key = counterConversions.fromComposite.toKeys(composite) as Record<string, string>;
  return { key, attributes: { period: id.period } };
}

/** Given a tenant, granularity and generation, returns the partition key of its counter items (both kinds). */
export function counterPartitionKey(id: Omit<CounterItemId, 'period' | 'kind'>): string {
  return counterKeys({ ...id, kind: 'P', period: '0' }).key.pk as string;
}

/** Given a tenant, granularity, generation and kind, returns the key condition of a range of its counter items (inclusive). */
export function counterRangeKeys(
  id: Omit<CounterItemId, 'period'>,
  first: PeriodKey,
  last: PeriodKey,
): { pk: string; skFrom: string; skTo: string } {
  const from = counterKeys({ ...id, period: first }).key;
  const to = counterKeys({ ...id, period: last }).key;
  return { pk: from.pk as string, skFrom: from.sk as string, skTo: to.sk as string };
}

/**
 * One run of the RFM segmentation of a tenant: the quintile thresholds customers are scored
 * against, the shop's median interval between orders (churn risk of one-order customers) and
 * how many customers each group had. The latest run scores customers on read; the runs over
 * time are the segment counts report. The customers of each group are member items
 * (`metrics.segment-entities.ts`), kept for the latest run only.
 */
export const MetricsSegmentRunEntity = new Entity({
  model: { entity: 'metricsSegmentRun', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    computedAt: { type: 'string', required: true, readOnly: true },
    customers: { type: 'number', required: true },
    recencyThresholds: { type: 'list', items: { type: 'number' }, required: true },
    frequencyThresholds: { type: 'list', items: { type: 'number' }, required: true },
    monetaryThresholds: { type: 'list', items: { type: 'number' }, required: true },
    medianIntervalDays: { type: 'number' },
    /** Group → number of customers. */
    counts: { type: 'any', required: true },
    /** Set while the run's members are being written: such a run is not the latest yet. */
    pending: { type: 'boolean' },
    /** Set once the members of this run were deleted (a newer run replaced them). */
    membersPurged: { type: 'boolean' },
    /** True when the run was made while the stream projections were behind (SegmentCounts.partial). */
    partial: { type: 'boolean' },
    /** The shop's sync status dataFreshAsOf when the run was made. */
    dataFreshAsOf: { type: 'string' },
  },
  indexes: {
    byTime: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: ['computedAt'], casing: 'none' },
    },
  },
});

export type MetricsSegmentRunItem = EntityItem<typeof MetricsSegmentRunEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    metricsActivity: typeof MetricsActivityEntity;
    metricsCounter: typeof MetricsCounterEntity;
    metricsRebuildJob: typeof MetricsRebuildJobEntity;
    metricsSegmentRun: typeof MetricsSegmentRunEntity;
    metricsState: typeof MetricsStateEntity;
  }
}

registerEntities({ metricsActivity: MetricsActivityEntity, metricsCounter: MetricsCounterEntity, metricsRebuildJob: MetricsRebuildJobEntity, metricsSegmentRun: MetricsSegmentRunEntity, metricsState: MetricsStateEntity });
