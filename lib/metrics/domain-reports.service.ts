import { GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../db/client.js';
import { backoff } from '../db/transactions.js';
import { diffDeltas, type CounterValues, type MembershipGroup, type MembershipOrderFacts, type PeriodDelta } from './domain-reports.js';
import { domainCounterKey, domainCounterMarkKey, domainCustomerPeriodKey, type DomainCounterId, type DomainReport } from './domain-reports.entities.js';
import { getMetricsState } from './metrics.service.js';
import { GRANULARITIES, periodOf, type Granularity, type PeriodKey } from './periods.js';

/** The counters' scope for shop-wide figures. */
const ALL = 'ALL';

/** Marks outlive the stream's 24 h retention (and a Lambda's retries) with room to spare. */
const markLifetimeSeconds = 7 * 86_400;
const maxAttempts = 30;

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Reads the time zone the shop's reports use (the metrics counters' one). */
export async function getReportTimeZone(tenantId: string): Promise<string> {
  return (await getMetricsState(tenantId)).timeZone;
}

function isCancelled(error: unknown): error is { name: string; CancellationReasons?: Array<{ Code?: string }> } {
  const name = (error as { name?: string }).name;
  return name === 'TransactionCanceledException' || name === 'TransactionConflictException';
}

/**
 * Given one stream change's contribution before and after (per scope), moves the report's counter
 * items of every granularity by the difference, in one transaction with the change's mark
 * (`attribute_not_exists`): a redelivered change finds its mark and moves nothing. Retries on
 * conflicts with other writers of the same counters. Returns false when the change was applied
 * before (or contributes nothing).
 */
export async function applyCounterChange(args: {
  tenantId: string;
  report: DomainReport;
  markId: string;
  scopes: readonly string[];
  before: readonly PeriodDelta[];
  after: readonly PeriodDelta[];
  now: Date;
}): Promise<boolean> {
  if (JSON.stringify(args.before) === JSON.stringify(args.after)) return false;
  const timeZone = await getReportTimeZone(args.tenantId);
  const updates: TransactItems = [];
  for (const granularity of GRANULARITIES) {
    for (const [period, values] of diffDeltas(args.before, args.after, granularity, timeZone)) {
      for (const scope of args.scopes) updates.push(counterUpdate({ tenantId: args.tenantId, report: args.report, scope, granularity, period }, values));
    }
  }
  if (updates.length === 0) return false;
  const mark: TransactItems[number] = {
    Put: {
      TableName: tableName(),
      Item: { ...domainCounterMarkKey(args.tenantId, args.markId), ttl: Math.floor(args.now.getTime() / 1000) + markLifetimeSeconds },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    },
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await dynamo().doc.send(new TransactWriteCommand({ TransactItems: [mark, ...updates] }));
      return true;
    } catch (error) {
      if (!isCancelled(error)) throw error;
      if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      if (attempt + 1 >= maxAttempts) throw error;
      await backoff(attempt);
    }
  }
}

function counterUpdate(id: Parameters<typeof domainCounterKey>[0], values: CounterValues): TransactItems[number] {
  const names: Record<string, string> = { '#period': 'period' };
  const expressionValues: Record<string, unknown> = { ':period': id.period };
  const adds = Object.entries(values).map(([name, amount], i) => {
    names[`#c${i}`] = name;
    expressionValues[`:c${i}`] = amount;
    return `#c${i} :c${i}`;
  });
  return {
    Update: {
      TableName: tableName(),
      Key: domainCounterKey(id),
      UpdateExpression: `SET #period = :period ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: expressionValues,
    },
  };
}

/**
 * Lists a report's counter items of one scope and granularity whose period lies in [first, last]
 * (from the first period ever when `first` is undefined), as period → counters.
 */
export async function listDomainCounters(args: {
  tenantId: string;
  report: DomainReport;
  scope: string;
  granularity: Granularity;
  first: PeriodKey | undefined;
  last: PeriodKey;
}): Promise<Map<PeriodKey, CounterValues>> {
  const id = { tenantId: args.tenantId, report: args.report, scope: args.scope, granularity: args.granularity };
  const from = domainCounterKey({ ...id, period: args.first ?? '0' });
  const to = domainCounterKey({ ...id, period: args.last });
  const result = new Map<PeriodKey, CounterValues>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().doc.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': from.pk, ':from': from.sk, ':to': to.sk },
        ExclusiveStartKey: start,
      }),
    );
    for (const raw of page.Items ?? []) {
      const values: CounterValues = {};
      for (const [name, value] of Object.entries(raw)) if (typeof value === 'number') values[name] = value;
      result.set(String(raw.period), values);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return result;
}

/**
 * Given one order change's facts before and after, moves the members vs non-members counters
 * (in the loyalty report's items) of every granularity: orders and revenue by the difference,
 * active and repeat customers when the customer's count of counted orders in the period and group
 * crosses 1 or 2. The customer-period items are written with a condition on the count read, the
 * counters with ADD and the change's mark, in one transaction; a lost race reads again, a
 * redelivered change finds its mark. Returns false when nothing had to change.
 */
export async function applyOrderToMembershipCounters(args: {
  tenantId: string;
  customerId: string;
  markId: string;
  before: MembershipOrderFacts | undefined;
  after: MembershipOrderFacts | undefined;
  now: Date;
}): Promise<boolean> {
  const { tenantId, customerId } = args;
  if (JSON.stringify(args.before) === JSON.stringify(args.after)) return false;
  const timeZone = await getReportTimeZone(tenantId);
  const moves: Array<{ granularity: Granularity; group: MembershipGroup; period: PeriodKey; orders: number; revenue: number }> = [];
  for (const granularity of GRANULARITIES) {
    const byKey = new Map<string, (typeof moves)[number]>();
    for (const [facts, sign] of [[args.before, -1], [args.after, 1]] as const) {
      if (!facts?.counted) continue;
      const period = periodOf(new Date(facts.at), granularity, timeZone);
      const key = `${facts.group}|${period}`;
      const move = byKey.get(key) ?? { granularity, group: facts.group, period, orders: 0, revenue: 0 };
      move.orders += sign;
      move.revenue += sign * facts.revenue;
      byKey.set(key, move);
    }
    moves.push(...[...byKey.values()].filter((m) => m.orders !== 0 || m.revenue !== 0));
  }
  if (moves.length === 0) return false;
  const mark: TransactItems[number] = {
    Put: {
      TableName: tableName(),
      Item: { ...domainCounterMarkKey(tenantId, args.markId), ttl: Math.floor(args.now.getTime() / 1000) + markLifetimeSeconds },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    },
  };
  for (let attempt = 0; ; attempt++) {
    const counts = await Promise.all(
      moves.map(async (m) =>
        m.orders === 0
          ? 0
          : Number(
              (
                await dynamo().doc.send(
                  new GetCommand({
                    TableName: tableName(),
                    Key: domainCustomerPeriodKey({ tenantId, customerId, granularity: m.granularity, period: m.period, group: m.group }),
                    ConsistentRead: true,
                  }),
                )
              ).Item?.orders ?? 0,
            ),
      ),
    );
    const counters = new Map<string, { id: DomainCounterId; values: CounterValues }>();
    const items: TransactItems = [mark];
    moves.forEach((m, i) => {
      const id: DomainCounterId = { tenantId, report: 'LOYALTY', scope: ALL, granularity: m.granularity, period: m.period };
      const key = JSON.stringify(id);
      const entry = counters.get(key) ?? { id, values: {} };
      const p = m.group.toLowerCase();
      const add = (name: string, amount: number) => {
        if (amount !== 0) entry.values[`${p}${name}`] = (entry.values[`${p}${name}`] ?? 0) + amount;
      };
      add('Orders', m.orders);
      add('Revenue', m.revenue);
      if (m.orders !== 0) {
        const before = counts[i]!;
        const after = before + m.orders;
        add('Active', Number(after > 0) - Number(before > 0));
        add('Repeat', Number(after >= 2) - Number(before >= 2));
        items.push({
          Update: {
            TableName: tableName(),
            Key: domainCustomerPeriodKey({ tenantId, customerId, granularity: m.granularity, period: m.period, group: m.group }),
            UpdateExpression: 'SET #orders = :after',
            ConditionExpression: before === 0 ? 'attribute_not_exists(#orders) OR #orders = :before' : '#orders = :before',
            ExpressionAttributeNames: { '#orders': 'orders' },
            ExpressionAttributeValues: { ':after': after, ':before': before },
          },
        });
      }
      counters.set(key, entry);
    });
    for (const { id, values } of counters.values()) if (Object.keys(values).length > 0) items.push(counterUpdate(id, values));
    try {
      await dynamo().doc.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (!isCancelled(error)) throw error;
      if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      if (attempt + 1 >= maxAttempts) throw error;
      await backoff(attempt);
    }
  }
}
