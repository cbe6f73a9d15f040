import { QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../db/client.js';
import { db } from '../db/service.js';
import { deletePartition } from '../db/partitions.js';
import { backoff } from '../db/transactions.js';
import { diffDeltas, type CounterValues, type PeriodDelta } from './domain-reports.js';
import { domainCounterKey, domainItemMarkPartition, markShardOf, markShards, type DomainCounterId, type DomainReport } from './domain-reports.entities.js';
import { getMetricsState, metricsStateUnchanged } from './metrics.service.js';
import { GRANULARITIES, type Granularity, type PeriodKey } from './periods.js';

const maxAttempts = 30;

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

function isCancelled(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'TransactionCanceledException' || name === 'TransactionConflictException';
}

/** A generation of counters a change lands in, and the time zone its periods are cut in. */
interface Target {
  readonly generation: number;
  readonly timeZone: string;
}

/**
 * Given a source item's contribution at one of its versions (a ledger entry, a referral, a survey
 * response, an invitation), makes the counters of the tenant's current generation, and of the one
 * a rebuild is filling, hold that contribution: for each generation whose mark holds an older
 * version (or none), `ADD`s new − stored to the counter items of every granularity and scope, in
 * one transaction with the marks (condition on the version read) and a check that the metrics state
 * (generations, time zones) did not change meanwhile; retries on conflict.
 *
 * So a redelivered or older record moves nothing, records may arrive in any order, and the
 * rebuild's replay (`onlyGeneration`: the generation it fills, nothing once it is switched) and the
 * stream meet on the same marks. Returns false when nothing had to change.
 */
export async function applyItemContribution(args: {
  tenantId: string;
  report: DomainReport;
  itemKey: string;
  version: number;
  scopes: readonly string[];
  deltas: readonly PeriodDelta[];
  onlyGeneration?: number;
}): Promise<boolean> {
  const { tenantId } = args;
  const deltasJson = JSON.stringify(args.deltas);
  for (let attempt = 0; ; attempt++) {
    const state = await getMetricsState(tenantId);
    const all: Target[] = [{ generation: state.generation, timeZone: state.timeZone }];
    if (state.build) all.push({ generation: state.build.generation, timeZone: state.build.timeZone });
    const targets = args.onlyGeneration === undefined ? all : all.filter((t) => t.generation === args.onlyGeneration && state.build?.generation === t.generation);
    const marks = await Promise.all(
      targets.map(async (t) => (await db().entities.domainItemMark.get(markIdentity(tenantId, t.generation, args.itemKey)).go({ consistent: true })).data),
    );
    const items: TransactItems = [];
    targets.forEach((target, i) => {
      const mark = marks[i];
      if (mark && mark.version >= args.version) return;
      const before = mark ? (JSON.parse(mark.deltas) as PeriodDelta[]) : [];
      const next = { ...markIdentity(tenantId, target.generation, args.itemKey), version: args.version, deltas: deltasJson };
      const put = mark
        ? db().entities.domainItemMark.put(next).where((attr, op) => op.eq(attr.version, mark.version)).params()
        : db().entities.domainItemMark.create(next).params();
      items.push({ Put: put } as TransactItems[number]);
      for (const granularity of GRANULARITIES) {
        for (const [period, values] of diffDeltas(before, args.deltas, granularity, target.timeZone)) {
          for (const scope of args.scopes) {
            items.push(counterUpdate({ tenantId, report: args.report, scope, granularity, generation: target.generation, period }, values));
          }
        }
      }
    });
    if (items.length === 0) return false;
    items.push(metricsStateUnchanged(state));
    try {
      await dynamo().doc.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (!isCancelled(error) || attempt + 1 >= maxAttempts) throw error;
      await backoff(Math.min(attempt, 5));
    }
  }
}

function markIdentity(tenantId: string, generation: number, itemKey: string) {
  return { tenantId, generation: String(generation), shard: markShardOf(itemKey), itemKey };
}

function counterUpdate(id: DomainCounterId, values: CounterValues): TransactItems[number] {
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
 * Lists a report's counter items of one scope, granularity and generation whose period lies in
 * [first, last] (from the first period ever when `first` is undefined), as period → counters.
 */
export async function listDomainCounters(args: {
  tenantId: string;
  report: DomainReport;
  scope: string;
  granularity: Granularity;
  generation: number;
  first: PeriodKey | undefined;
  last: PeriodKey;
}): Promise<Map<PeriodKey, CounterValues>> {
  const id = { tenantId: args.tenantId, report: args.report, scope: args.scope, granularity: args.granularity, generation: args.generation };
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
 * Deletes a generation of program counters (of the given scopes per report) and its marks, after
 * a rebuild switched away from it; returns how many items went.
 */
export async function deleteDomainGeneration(tenantId: string, generation: number, scopes: Readonly<Record<DomainReport, readonly string[]>>): Promise<number> {
  let deleted = 0;
  for (const [report, reportScopes] of Object.entries(scopes) as Array<[DomainReport, readonly string[]]>) {
    for (const scope of reportScopes) {
      for (const granularity of GRANULARITIES) {
        deleted += await deletePartition(domainCounterKey({ tenantId, report, scope, granularity, generation, period: '0' }).pk as string);
      }
    }
  }
  for (const shard of markShards) deleted += await deletePartition(domainItemMarkPartition(tenantId, generation, shard));
  return deleted;
}
