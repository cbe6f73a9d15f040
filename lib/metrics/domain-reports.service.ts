import { QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../db/client.js';
import { backoff } from '../db/transactions.js';
import { diffDeltas, type CounterValues, type PeriodDelta } from './domain-reports.js';
import { domainCounterKey, domainCounterMarkKey, type DomainReport } from './domain-reports.entities.js';
import { getMetricsState } from './metrics.service.js';
import { GRANULARITIES, type Granularity, type PeriodKey } from './periods.js';

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
