import { describe, expect, it } from 'vitest';
import { logger } from '../../lib/common/logger.js';
import { computeAllSegments } from '../../lib/metrics/metrics.segments.js';
import { createStreamHandler, type Projection } from '../../lib/streams/handler.js';
import { observeStream } from '../../lib/app/observed-stream.js';
import { projections } from '../../lib/app/projections.js';
import { aShop, anOrder, mutateOk, ORDER_RECORD } from '../fixtures/api.js';
import { feedStream } from '../fixtures/stream.js';

/**
 * Freshness through the real stream handler: Shop.syncStatus and every report's dataFreshAsOf, and
 * segmentation runs made while the projections are behind marked partial. A projection that can be
 * told to fail holds records back, as a throttled table would: its dead letter cannot be written
 * either, so the handler reports the record and the stream holds it.
 */
let failOrders = false;
const holdBack: Projection = {
  name: 'test hold-back',
  accepts: (change) => failOrders && change.entity === 'order',
  apply: async () => {
    throw new Error('held back by the test');
  },
};
// First, so that nothing of a held-back record is applied.
const stream = feedStream(
  observeStream(
    createStreamHandler([holdBack, ...projections], {
      maxAttempts: 1,
      deadLetter: async () => {
        throw new Error('the table refuses the dead letter too');
      },
    }),
  ),
);

const SYNC = /* GraphQL */ `{ shop { syncStatus { streamLagSeconds pendingRecords lastProcessedAt dataFreshAsOf caughtUp } } }`;
const REPORTS = /* GraphQL */ `{
  retentionReport(granularity: MONTH, from: "2026-01", to: "2026-03") { dataFreshAsOf }
  cohortReport(granularity: MONTH, from: "2026-01", to: "2026-03") { dataFreshAsOf }
  lifetimeValueReport(granularity: MONTH, from: "2026-01", to: "2026-03") { dataFreshAsOf }
  loyaltyReport(granularity: MONTH, from: "2026-01", to: "2026-03") { dataFreshAsOf }
  referralReport(granularity: MONTH, from: "2026-01", to: "2026-03") { dataFreshAsOf }
  feedbackReport(granularity: MONTH, from: "2026-01", to: "2026-03") { dataFreshAsOf }
  loyalCustomerProducts(period: { from: "2026-01-01", to: "2026-03-01" }) { dataFreshAsOf }
}`;
const SEGMENT_COUNTS = /* GraphQL */ `
  query ($from: DateTime!, $to: DateTime!) { segmentCounts(from: $from, to: $to) { computedAt customers partial dataFreshAsOf } }
`;

describe('freshness of the projections', () => {
  it('is unknown before the first change is applied, then dated by the newest change applied, on the shop and on every report', async () => {
    const t = await aShop({ timeZone: 'UTC' });
    const before = await t.gql(SYNC);
    expect(before.data!.shop.syncStatus).toEqual({ streamLagSeconds: null, pendingRecords: 0, lastProcessedAt: null, dataFreshAsOf: null, caughtUp: true });

    // Stream creation times are rounded down: to the second in AWS, to the minute by DynamoDB Local.
    const writtenFrom = Math.floor(Date.now() / 60_000) * 60_000;
    await mutateOk(t, ORDER_RECORD, anOrder({ customer: { externalId: 'fresh-1' }, placedAt: '2026-02-10T10:00:00Z' }));
    await stream.poller.drain();

    const status = (await t.gql(SYNC)).data!.shop.syncStatus;
    expect(status.pendingRecords).toBe(0);
    expect(status.caughtUp).toBe(true);
    expect(Date.parse(status.dataFreshAsOf)).toBeGreaterThanOrEqual(writtenFrom);
    expect(Date.parse(status.lastProcessedAt)).toBeGreaterThanOrEqual(Date.parse(status.dataFreshAsOf));
    expect(status.streamLagSeconds).toBeGreaterThanOrEqual(0);

    const reports = await t.gql(REPORTS);
    expect(reports.errors).toBeUndefined();
    for (const report of Object.values(reports.data!)) expect((report as { dataFreshAsOf: string }).dataFreshAsOf).toBe(status.dataFreshAsOf);
  });

  it('shows records held back, marks the segmentation runs made meanwhile as partial, and clears once the stream is drained', async () => {
    const t = await aShop({ timeZone: 'UTC' });
    await mutateOk(t, ORDER_RECORD, anOrder({ customer: { externalId: 'seg-a' }, placedAt: '2026-02-01T10:00:00Z' }));
    await stream.poller.drain();
    const complete = t.clock.now();
    await computeAllSegments([t.tenantId], complete);

    failOrders = true;
    logger.setLogLevel('SILENT'); // the held-back record is logged as a failure: expected here
    try {
      await mutateOk(t, ORDER_RECORD, anOrder({ customer: { externalId: 'seg-b' }, placedAt: '2026-02-02T10:00:00Z' }));
      await stream.poller.drain();
      const behind = (await t.gql(SYNC)).data!.shop.syncStatus;
      expect(behind.caughtUp).toBe(false);
      expect(behind.pendingRecords).toBeGreaterThan(0);

      t.clock.advance(86_400_000);
      const summary = await computeAllSegments([t.tenantId], t.clock.now());
      expect(summary.partialShops).toEqual([t.tenantId]);
    } finally {
      failOrders = false;
      logger.setLogLevel('WARN');
    }
    await stream.poller.drain();
    const caughtUp = (await t.gql(SYNC)).data!.shop.syncStatus;
    expect(caughtUp).toMatchObject({ caughtUp: true, pendingRecords: 0 });
    t.clock.advance(86_400_000);
    await computeAllSegments([t.tenantId], t.clock.now());

    const runs = (await t.gql(SEGMENT_COUNTS, { from: '2026-01-01T00:00:00Z', to: '2026-12-31T00:00:00Z' })).data!.segmentCounts;
    expect(runs.map((r: any) => [r.customers, r.partial])).toEqual([
      [1, false],
      [1, true], // seg-b's order was still in the stream
      [2, false],
    ]);
    for (const run of runs) expect(run.dataFreshAsOf).not.toBeNull();
  });
});
