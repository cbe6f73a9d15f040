import { BatchWriteCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { createConversions } from 'electrodb';
import { dynamo, tableName } from '../db/client.js';
import { db } from '../db/service.js';
import { deletePartition } from '../db/partitions.js';
import { backoff } from '../db/transactions.js';
import { getShop } from '../shops/index.js';
import {
  applyMembership,
  applyOrders,
  contributionOf,
  diffContribution,
  EMPTY_ACTIVITY,
  parseCounterKey,
  PERIOD_COUNTER_NAMES,
  type CohortCounters,
  type Counters,
  type CustomerActivity,
  type OrderFacts,
  type PeriodCounters,
  type RevenueBasis,
} from './contribution.js';
import {
  activityOf,
  activityShardOf,
  cohortAttribute,
  counterKeys,
  counterPartitionKey,
  counterRangeKeys,
  MetricsStateEntity,
  parseCohortAttribute,
  PERIOD_COUNTER_FIELDS,
  periodCounterOfAttribute,
  storedOrdersOf,
  type MetricsActivityItem,
  type MetricsStateItem,
} from './metrics.entities.js';
import { GRANULARITIES, periodRange, previousPeriod, type Granularity, type PeriodKey } from './periods.js';
import { cohortReport, lifetimeValueReport, retentionReport, type Lookback } from './reports.js';

/** How a generation of counters was computed. */
export interface MetricsSettings {
  readonly timeZone: string;
  readonly revenueBasis: RevenueBasis;
}

/** A tenant's metrics state as the consumer and the reports see it. */
export interface MetricsState extends MetricsSettings {
  readonly tenantId: string;
  /** False until the first consumer write creates the item (the shop's settings are used). */
  readonly exists: boolean;
  readonly generation: number;
  readonly stateVersion: number;
  readonly build?: MetricsSettings & { readonly generation: number; readonly jobId: string };
}

function stateFromItem(item: MetricsStateItem): MetricsState {
  return {
    tenantId: item.tenantId,
    exists: true,
    generation: item.generation,
    timeZone: item.timeZone,
    revenueBasis: item.revenueBasis,
    stateVersion: item.stateVersion,
    ...(item.buildJobId !== undefined && item.buildGeneration !== undefined
      ? {
          build: {
            generation: item.buildGeneration,
            jobId: item.buildJobId,
            timeZone: item.buildTimeZone ?? item.timeZone,
            revenueBasis: item.buildRevenueBasis ?? item.revenueBasis,
          },
        }
      : {}),
  };
}

/** Reads a tenant's metrics state; before the first write, generation 0 with the shop's settings. */
export async function getMetricsState(tenantId: string): Promise<MetricsState> {
  const item = (await db().entities.metricsState.get({ tenantId }).go({ consistent: true })).data;
  if (item) return stateFromItem(item);
  const shop = await getShop(tenantId);
  if (!shop) throw new Error(`metrics: no shop ${tenantId}`);
  return { tenantId, exists: false, generation: 0, timeZone: shop.timeZone, revenueBasis: shop.revenueBasis, stateVersion: 0 };
}

/** One counter generation a change moves, and whether the customer's old state is in it yet. */
interface PlanEntry extends MetricsSettings {
  readonly generation: number;
  /** True when the old state was never added to this generation: the change adds the whole new contribution. */
  readonly fromEmpty: boolean;
}

/** A change being applied in chunks: the counters hold the old state's contribution plus `chunk` chunks of the difference. */
interface PendingChange {
  readonly from: CustomerActivity;
  readonly plan: readonly PlanEntry[];
  readonly chunk: number;
}

interface StoredActivity {
  readonly exists: boolean;
  readonly activity: CustomerActivity;
  readonly version: number;
  readonly generation: number;
  readonly pending?: PendingChange;
}

/** Reads one customer's activity state (empty when the metrics have not seen them yet). */
export async function getCustomerActivity(tenantId: string, customerId: string): Promise<StoredActivity> {
  const item = (
    await db().entities.metricsActivity.get({ tenantId, shard: activityShardOf(customerId), customerId }).go({ consistent: true })
  ).data;
  return storedActivityOf(item);
}

/** Reads many customers' activity states in one BatchGetItem (per 100), in the order asked. */
export async function getCustomerActivities(tenantId: string, customerIds: readonly string[]): Promise<StoredActivity[]> {
  const unique = [...new Set(customerIds)];
  const { data } = await db()
    .entities.metricsActivity.get(unique.map((customerId) => ({ tenantId, shard: activityShardOf(customerId), customerId })))
    .go({ consistent: true });
  const byId = new Map(data.map((item) => [item.customerId, item]));
  return customerIds.map((id) => storedActivityOf(byId.get(id)));
}

function storedActivityOf(item: MetricsActivityItem | null | undefined): StoredActivity {
  if (!item) return { exists: false, activity: EMPTY_ACTIVITY, version: 0, generation: -1 };
  return {
    exists: true,
    activity: activityOf(item.orders, item.joinedAt),
    version: item.version,
    generation: item.generation,
    ...(item.pendingChunk !== undefined
      ? { pending: { from: activityOf(item.pendingFrom, item.pendingFromJoinedAt), plan: item.pendingPlan as PlanEntry[], chunk: item.pendingChunk } }
      : {}),
  };
}

/** Counter deltas keyed by generation, then granularity. */
type GenerationDeltas = Map<number, Map<Granularity, Counters>>;

function contributionsDiff(before: CustomerActivity, after: CustomerActivity, settings: MetricsSettings): Map<Granularity, Counters> {
  const result = new Map<Granularity, Counters>();
  for (const granularity of GRANULARITIES) {
    const deltas = diffContribution(
      contributionOf(before, granularity, settings.timeZone, settings.revenueBasis),
      contributionOf(after, granularity, settings.timeZone, settings.revenueBasis),
    );
    if (deltas.size > 0) result.set(granularity, deltas);
  }
  return result;
}

const stateConversions = createConversions(MetricsStateEntity);

/**
 * Given the metrics state as read, returns a transaction check that it is still so (same
 * `stateVersion`, or still absent): a write to counters must not outlive a generation switch.
 */
export function metricsStateUnchanged(state: MetricsState): NonNullable<TransactWriteCommandInput['TransactItems']>[number] {
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: stateConversions.fromComposite.toKeys({ tenantId: state.tenantId }) as Record<string, string>,
      ...(state.exists
        ? { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'stateVersion' }, ExpressionAttributeValues: { ':v': state.stateVersion } }
        : { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } }),
    },
  };
}

// One Update per counter item: ADD every delta of the item, and SET its identity attributes so
// that the item reads back like any other of its entity.
function counterUpdates(tenantId: string, deltas: GenerationDeltas): NonNullable<TransactWriteCommandInput['TransactItems']> {
  const byItem = new Map<string, { id: Parameters<typeof counterKeys>[0]; adds: Map<string, number> }>();
  for (const [generation, byGranularity] of deltas) {
    for (const [granularity, counters] of byGranularity) {
      for (const [key, value] of counters) {
        const parsed = parseCounterKey(key);
        const id =
          parsed.kind === 'PERIOD'
            ? { tenantId, granularity, generation, kind: 'P' as const, period: parsed.period }
            : { tenantId, granularity, generation, kind: 'C' as const, period: parsed.cohort };
        const attribute = parsed.kind === 'PERIOD' ? PERIOD_COUNTER_FIELDS[parsed.counter] : cohortAttribute(parsed.offset, parsed.counter);
        const itemKey = `${generation}|${granularity}|${id.kind}|${id.period}`;
        const entry = byItem.get(itemKey) ?? { id, adds: new Map<string, number>() };
        entry.adds.set(attribute, (entry.adds.get(attribute) ?? 0) + value);
        byItem.set(itemKey, entry);
      }
    }
  }
  return [...byItem.values()].map(({ id, adds }) => {
    const { key, attributes } = counterKeys(id);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const addParts: string[] = [];
    const setParts: string[] = [];
    [...adds].forEach(([attribute, value], i) => {
      names[`#a${i}`] = attribute;
      values[`:a${i}`] = value;
      addParts.push(`#a${i} :a${i}`);
    });
    Object.entries(attributes).forEach(([attribute, value], i) => {
      names[`#s${i}`] = attribute;
      values[`:s${i}`] = value;
      setParts.push(`#s${i} = :s${i}`);
    });
    return {
      Update: {
        TableName: tableName(),
        Key: key,
        UpdateExpression: `ADD ${addParts.join(', ')} SET ${setParts.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  });
}

/**
 * Given counters summed in memory (e.g. the contributions of many customers), adds them to a
 * tenant's generation item by item, without a transaction: for seeding a bench or a migration,
 * never for the stream's changes (those go through `applyOrdersToCustomer`).
 */
export async function addCountersInBulk(tenantId: string, generation: number, byGranularity: ReadonlyMap<Granularity, Counters>): Promise<number> {
  const updates = counterUpdates(tenantId, new Map([[generation, new Map(byGranularity)]]));
  for (let i = 0; i < updates.length; i += 16) {
    await Promise.all(updates.slice(i, i + 16).map((item) => dynamo().doc.send(new UpdateCommand(item.Update as UpdateCommandInput))));
  }
  return updates.length;
}

/** DynamoDB's limit on the items of one transaction. */
const maxTransactionItems = 100;
const maxAttempts = 30;

function isTransactionCancelled(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'TransactionCanceledException' || name === 'TransactionConflictException' || name === 'ConditionalCheckFailedException';
}

// The counter updates that take the counters from `from`'s contribution to `to`'s, for every
// generation of the plan, in a deterministic order (chunks are cut from it).
function plannedUpdates(tenantId: string, from: CustomerActivity, to: CustomerActivity, plan: readonly PlanEntry[]) {
  const deltas: GenerationDeltas = new Map();
  for (const entry of plan) {
    const byGranularity = contributionsDiff(entry.fromEmpty ? EMPTY_ACTIVITY : from, to, entry);
    if (byGranularity.size > 0) deltas.set(entry.generation, byGranularity);
  }
  const updates = counterUpdates(tenantId, deltas);
  const order = (item: (typeof updates)[number]) => JSON.stringify(item.Update?.Key);
  return updates.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** Counter items per transaction, leaving room for the activity and the state check. */
const chunkSize = maxTransactionItems - 4;

async function send(items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<boolean> {
  try {
    await dynamo().doc.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    if (!isTransactionCancelled(error)) throw error;
    return false;
  }
}

// Lands the next chunk of a pending change (the last one clears it), conditioned on the version.
async function continuePending(tenantId: string, customerId: string, stored: StoredActivity & { pending: PendingChange }): Promise<boolean> {
  const updates = plannedUpdates(tenantId, stored.pending.from, stored.activity, stored.pending.plan);
  const next = stored.pending.chunk + 1;
  const last = next * chunkSize >= updates.length;
  const key = { tenantId, shard: activityShardOf(customerId), customerId };
  const patch = db().entities.metricsActivity.patch(key).set({ version: stored.version + 1, ...(last ? {} : { pendingChunk: next }) });
  const activityUpdate = (last ? patch.remove(['pendingFrom', 'pendingFromJoinedAt', 'pendingPlan', 'pendingChunk']) : patch)
    .where((attr, op) => op.eq(attr.version, stored.version))
    .params();
  return send([{ Update: activityUpdate }, ...updates.slice(stored.pending.chunk * chunkSize, next * chunkSize)] as NonNullable<TransactWriteCommandInput['TransactItems']>);
}

/**
 * Given a customer and order records (possibly none), merges the records into the customer's
 * activity state and moves the counters of every granularity by the difference between the
 * customer's contribution before and after, in one transaction with the new state (version
 * condition) and a check that the tenant's metrics state (generation, rebuild) did not change
 * meanwhile; retries on conflict. While a rebuild fills a new generation, the customer's whole
 * contribution is added to it the first time the customer is written (`generation` marks it).
 *
 * A change that touches more counter items than a transaction holds (a whole contribution of a
 * customer active in many periods, added to a new generation) is applied in chunks: the first
 * transaction stores the new state with the old one and the plan (`pending*`), each next one adds
 * a chunk, the last clears the plan. Whoever finds a pending change (this function, for any
 * record of the customer, or the rebuild's sweep) finishes it first, so a crash between chunks
 * only delays the counters. Returns false when nothing had to change (a redelivered record): then
 * nothing is written.
 */
export async function applyOrdersToCustomer(
  tenantId: string,
  customerId: string,
  orders: readonly OrderFacts[],
  membership?: { readonly joinedAt: string },
): Promise<boolean> {
  let wrote = false;
  let pendingOrders = orders;
  let pendingMembership = membership;
  for (let failures = 0; failures < maxAttempts; ) {
    const state = await getMetricsState(tenantId);
    const stored = await getCustomerActivity(tenantId, customerId);
    if (stored.pending) {
      if (await continuePending(tenantId, customerId, stored as StoredActivity & { pending: PendingChange })) wrote = true;
      else await backoff(Math.min(failures++, 5));
      continue;
    }
    const merged = applyOrders(stored.activity, pendingOrders);
    const after = pendingMembership ? applyMembership(merged, pendingMembership.joinedAt) : merged;
    const targetGeneration = state.build?.generation ?? state.generation;
    if (after === stored.activity && (stored.generation === targetGeneration || !stored.exists)) return wrote;

    const plan: PlanEntry[] = [{ generation: state.generation, timeZone: state.timeZone, revenueBasis: state.revenueBasis, fromEmpty: false }];
    if (state.build) plan.push({ ...state.build, fromEmpty: stored.generation !== state.build.generation });
    const updates = plannedUpdates(tenantId, stored.activity, after, plan);
    const chunked = updates.length > chunkSize;

    const activityItem = {
      tenantId,
      shard: activityShardOf(customerId),
      customerId,
      ...definedOnly({ orders: storedOrdersOf(after), joinedAt: after.joinedAt }),
      version: stored.version + 1,
      generation: targetGeneration,
      ...(chunked
        ? { ...definedOnly({ pendingFrom: storedOrdersOf(stored.activity), pendingFromJoinedAt: stored.activity.joinedAt }), pendingPlan: plan, pendingChunk: 1 }
        : {}),
    };
    const activityPut = stored.exists
      ? db().entities.metricsActivity.put(activityItem).where((attr, op) => op.eq(attr.version, stored.version)).params()
      : db().entities.metricsActivity.create(activityItem).params();
    const stateItem = state.exists
      ? metricsStateUnchanged(state)
      : {
          Put: db()
            .entities.metricsState.create({ tenantId, generation: 0, timeZone: state.timeZone, revenueBasis: state.revenueBasis, stateVersion: 1 })
            .params(),
        };
    const items = [{ Put: activityPut }, stateItem, ...updates.slice(0, chunkSize)] as NonNullable<TransactWriteCommandInput['TransactItems']>;
    if (await send(items)) {
      wrote = true;
      if (!chunked) return true;
      // The remaining chunks: the loop finds the pending change and lands them.
      pendingOrders = [];
      pendingMembership = undefined;
    } else {
      await backoff(Math.min(failures++, 5));
    }
  }
  throw new Error(`metrics: too much contention on customer ${customerId}`);
}

// Attributes whose value is undefined are left out of the item rather than stored empty.
function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** A counter item as read back: its period (or cohort) and its numeric attributes. */
export interface CounterItem {
  readonly period: PeriodKey;
  readonly values: Readonly<Record<string, number>>;
}

/** Lists the counter items of one kind of a tenant's generation whose period lies in [first, last], oldest first. */
export async function listCounterItems(args: {
  tenantId: string;
  granularity: Granularity;
  generation: number;
  kind: 'P' | 'C';
  first: PeriodKey;
  last: PeriodKey;
}): Promise<CounterItem[]> {
  const { pk, skFrom, skTo } = counterRangeKeys(args, args.first, args.last);
  const items: CounterItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().doc.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': pk, ':from': skFrom, ':to': skTo },
        ExclusiveStartKey: start,
      }),
    );
    for (const raw of page.Items ?? []) {
      const values: Record<string, number> = {};
      for (const [name, value] of Object.entries(raw)) {
        if (typeof value !== 'number') continue;
        // Period items store their counters under short fields; they are read back by counter name.
        values[args.kind === 'P' ? (periodCounterOfAttribute(name) ?? name) : name] = value;
      }
      items.push({ period: String(raw.period), values });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Deletes every counter item of a tenant's generation (after a rebuild switched away from it); returns how many. */
export async function deleteCounterGeneration(tenantId: string, generation: number): Promise<number> {
  let deleted = 0;
  for (const granularity of GRANULARITIES) deleted += await deletePartition(counterPartitionKey({ tenantId, granularity, generation }));
  return deleted;
}

/** Given a period item's values, returns its counters (0 where absent). */
export function periodCountersFromItem(values: Readonly<Record<string, number>> | undefined): PeriodCounters {
  const counters = {} as PeriodCounters;
  for (const name of PERIOD_COUNTER_NAMES) counters[name] = values?.[name] ?? 0;
  return counters;
}

/** Given a cohort item's values, returns its cells by offset (missing offsets undefined). */
export function cohortCellsFromItem(values: Readonly<Record<string, number>>): Array<Partial<CohortCounters> | undefined> {
  const cells: Array<Partial<CohortCounters> | undefined> = [];
  for (const [name, value] of Object.entries(values)) {
    const parsed = parseCohortAttribute(name);
    if (!parsed) continue;
    const cell = cells[parsed.offset] ?? {};
    cell[parsed.counter] = value;
    cells[parsed.offset] = cell;
  }
  return cells;
}

const FIRST_PERIOD = '0';

async function periodInputs(tenantId: string, granularity: Granularity, from: PeriodKey, to: PeriodKey, needsHistory: boolean) {
  const state = await getMetricsState(tenantId);
  // The periods of the range and the one before it; with `needsHistory`, every period item up to
  // `to`, since those before `from` give the customers and revenue acquired before the range.
  // Their number grows with the shop's age, never with its customers.
  const first = needsHistory ? FIRST_PERIOD : previousPeriod(from);
  const items = await listCounterItems({ tenantId, granularity, generation: state.generation, kind: 'P', first, last: to });
  const byPeriod = new Map(items.map((item) => [item.period, item.values]));
  let customersBefore = 0;
  let revenueBefore = 0;
  for (const item of items) {
    if (item.period >= from) continue;
    customersBefore += item.values.newCustomers ?? 0;
    revenueBefore += item.values.revenue ?? 0;
  }
  const periods = periodRange(from, to).map((period) => ({ period, counters: periodCountersFromItem(byPeriod.get(period)) }));
  return { state, periods, previousCounters: periodCountersFromItem(byPeriod.get(previousPeriod(from))), customersBefore, revenueBefore };
}

/** Given a tenant and a range of periods, returns METRICS.md's retention report over it, with the settings it was computed with. */
export async function readRetentionReport(tenantId: string, args: { granularity: Granularity; from: PeriodKey; to: PeriodKey; lookback: Lookback }) {
  const input = await periodInputs(tenantId, args.granularity, args.from, args.to, args.lookback === 'ALL_PRIOR');
  return {
    settings: input.state as MetricsSettings,
    report: retentionReport({ lookback: args.lookback, periods: input.periods, previousCounters: input.previousCounters, customersBefore: input.customersBefore }),
  };
}

/** Given a tenant and a range of periods, returns the average historic value and the simple projected CLV. */
export async function readLifetimeValueReport(tenantId: string, args: { granularity: Granularity; from: PeriodKey; to: PeriodKey }) {
  const input = await periodInputs(tenantId, args.granularity, args.from, args.to, true);
  return {
    settings: input.state as MetricsSettings,
    report: lifetimeValueReport({
      periods: input.periods,
      previousCounters: input.previousCounters,
      customersBefore: input.customersBefore,
      revenueBefore: input.revenueBefore,
    }),
  };
}

/** Given a tenant and a range of cohorts, returns the cohort matrix observed through the range's last period. */
export async function readCohortReport(tenantId: string, args: { granularity: Granularity; from: PeriodKey; to: PeriodKey }) {
  const state = await getMetricsState(tenantId);
  const items = await listCounterItems({ tenantId, granularity: args.granularity, generation: state.generation, kind: 'C', first: args.from, last: args.to });
  const byCohort = new Map(items.map((item) => [item.period, cohortCellsFromItem(item.values)]));
  return {
    settings: state as MetricsSettings,
    rows: cohortReport({ through: args.to, cohorts: periodRange(args.from, args.to).map((cohort) => ({ cohort, cells: byCohort.get(cohort) ?? [] })) }),
  };
}
