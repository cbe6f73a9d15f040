import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as scheduledRebuild } from '../../functions/metrics-rebuild.js';
import { dynamo, tableName } from '../../lib/db/client.js';
import { db } from '../../lib/db/service.js';
import { counterKeys, counterPartitionKey, PERIOD_COUNTER_FIELDS } from '../../lib/metrics/metrics.entities.js';
import { advanceRebuild } from '../../lib/metrics/metrics.rebuild.js';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop, anOrder, type TestShop } from '../fixtures/api.js';
import {
  COHORT_REPORT,
  flattenCohorts,
  flattenFigures,
  generateShop,
  metricsStreamHandler,
  record,
  recordGenerated,
  referenceRetentionView,
  retention,
  type Row,
} from '../fixtures/metrics.js';
import { referenceCohorts, type ReferenceOrder } from '../fixtures/reference-metrics.js';

const METRICS_REBUILD = /* GraphQL */ `
  mutation { metricsRebuild { job { id status phase progress processedOrders totalOrders timeZone revenueBasis } userErrors { code message } } }
`;
const REBUILD_JOB = /* GraphQL */ `
  query ($id: ID!) { metricsRebuildJob(id: $id) { id status phase progress processedCustomers totalCustomers processedOrders totalOrders revenueBasis completedAt } }
`;

let poller: StreamPoller;
beforeAll(async () => {
  poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, intervalMs: 0, handler: metricsStreamHandler });
});
afterAll(async () => {
  await poller.stop();
});

const view = (report: Row) => ({ periods: report.periods.map(({ period, ...row }: Row) => ({ period, ...flattenFigures(row) })), totals: flattenFigures(report.totals) });

describe('metricsRebuild', () => {
  let t: TestShop;
  let final: ReferenceOrder[];
  let jobId: string;
  let ordersBefore: number;

  beforeAll(async () => {
    t = await aShop({ timeZone: 'UTC' });
    const data = generateShop(11, 30);
    await recordGenerated(t, data, 11);
    await poller.drain();
    // A customer active in 80 weeks: their whole contribution is more counter items than one transaction holds.
    const weekly = Array.from({ length: 80 }, (_, i) =>
      anOrder({ orderId: `weekly-${i}`, customer: { externalId: 'weekly' }, placedAt: new Date(Date.parse('2023-01-03T09:00:00Z') + i * 7 * 86_400_000).toISOString(), subtotal: 1_000 + 2 * i }),
    );
    for (let i = 0; i < weekly.length; i += 8) await Promise.all(weekly.slice(i, i + 8).map((input) => record(t, input)));
    await poller.drain();
    final = [
      ...data.final,
      ...weekly.map((input) => ({ customerId: 'weekly', orderId: input.orderId, placedAt: Date.parse(input.placedAt), status: 'PLACED' as const, total: input.total, subtotal: input.subtotal, refunded: 0 })),
    ];
    ordersBefore = data.inputs.length + weekly.length;
  }, 600_000);

  it('needs orders:write besides metrics:read', async () => {
    const key = await t.keyWith(['METRICS_READ']);

    const res = await t.gql(METRICS_REBUILD, {}, { authorization: `Bearer ${key}` });

    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('starts a job, and returns the same job while it runs', async () => {
    await db().entities.shop.patch({ tenantId: t.tenantId }).set({ revenueBasis: 'SUBTOTAL' }).go();
    // A counter gone wrong (a lost stream record, a bug): the rebuild must not carry it over.
    const { key } = counterKeys({ tenantId: t.tenantId, granularity: 'MONTH', generation: 0, kind: 'P', period: '2024-03' });
    await dynamo().doc.send(new UpdateCommand({ TableName: tableName(), Key: key, UpdateExpression: 'ADD #c :x', ExpressionAttributeNames: { '#c': PERIOD_COUNTER_FIELDS.activeCustomers }, ExpressionAttributeValues: { ':x': 7 } }));

    const first = await t.gql(METRICS_REBUILD);
    const again = await t.gql(METRICS_REBUILD);

    expect(first.data!.metricsRebuild).toMatchObject({ userErrors: [], job: { status: 'RUNNING', phase: 'COUNT', progress: 0, revenueBasis: 'SUBTOTAL' } });
    jobId = first.data!.metricsRebuild.job.id;
    expect(again.data!.metricsRebuild.job.id).toBe(jobId);
    const before = await retention(t, 'MONTH', '2023-01', '2024-12');
    expect(before.definitions.revenueBasis).toBe('TOTAL');
  });

  it('keeps counting orders that arrive while it runs, and switches to the new counters at the end', async () => {
    let step = 0;
    let job = await advanceRebuild(t.tenantId, jobId, t.clock, 0);
    while (job && job.status === 'RUNNING' && step < 200) {
      step += 1;
      // Between steps: a new order, a cancellation of an old one, the stream catching up.
      if (step <= 6) {
        const input = anOrder({ orderId: `during-${step}`, customer: { externalId: step % 2 ? `during-${step}` : 'gen-11-3' }, placedAt: `2024-0${step}-15T10:00:00Z`, subtotal: 2_000, discounts: 100 });
        await record(t, input);
        final.push({ customerId: input.customer.externalId, orderId: input.orderId, placedAt: Date.parse(input.placedAt), status: 'PLACED', total: input.total, subtotal: 1_900, refunded: 0 });
      }
      await poller.drain();
      const progress = (await t.gql(REBUILD_JOB, { id: jobId })).data!.metricsRebuildJob.progress;
      expect(progress).toBeGreaterThanOrEqual(0);
      expect(progress).toBeLessThanOrEqual(100);
      job = await advanceRebuild(t.tenantId, jobId, t.clock, 0);
    }
    await scheduledRebuild();

    const res = await t.gql(REBUILD_JOB, { id: jobId });
    expect(res.data!.metricsRebuildJob).toMatchObject({ status: 'SUCCEEDED', phase: 'DONE', progress: 100, revenueBasis: 'SUBTOTAL', totalOrders: ordersBefore });
    expect(res.data!.metricsRebuildJob.processedOrders).toBeGreaterThanOrEqual(ordersBefore);
    expect(res.data!.metricsRebuildJob.completedAt).not.toBeNull();
    const after = await retention(t, 'MONTH', '2023-01', '2024-12');
    expect(after.definitions.revenueBasis).toBe('SUBTOTAL');
    expect(view(after)).toEqual(referenceRetentionView(final, { granularity: 'MONTH', first: '2023-01', last: '2024-12', lookback: 'PREVIOUS_PERIOD', revenueBasis: 'SUBTOTAL' }));
    const cohorts = await t.gql(COHORT_REPORT, { granularity: 'QUARTER', from: '2023-Q1', to: '2024-Q4' });
    expect(flattenCohorts(cohorts.data!.cohortReport.cohorts)).toEqual(referenceCohorts(final, { granularity: 'QUARTER', first: '2023-Q1', last: '2024-Q4', revenueBasis: 'SUBTOTAL' }));
  }, 600_000);

  it('keeps the counters right for orders after the switch, and removes the old ones', async () => {
    const input = anOrder({ orderId: 'after-switch', customer: { externalId: 'gen-11-4' }, placedAt: '2024-11-02T10:00:00Z', subtotal: 3_000 });
    await record(t, input);
    final.push({ customerId: 'gen-11-4', orderId: 'after-switch', placedAt: Date.parse(input.placedAt), status: 'PLACED', total: input.total, subtotal: 3_000, refunded: 0 });

    await poller.drain();

    const after = await retention(t, 'WEEK', '2023-01-02', '2024-12-30', 'ALL_PRIOR');
    expect(view(after)).toEqual(referenceRetentionView(final, { granularity: 'WEEK', first: '2023-01-02', last: '2024-12-30', lookback: 'ALL_PRIOR', revenueBasis: 'SUBTOTAL' }));
    const counterItems = async (generation: number) =>
      (await dynamo().doc.send(new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': counterPartitionKey({ tenantId: t.tenantId, granularity: 'MONTH', generation }) } }))).Count;
    expect(await counterItems(0)).toBe(0);
    expect(await counterItems(1)).toBeGreaterThan(0);
  });
});
