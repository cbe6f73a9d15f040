import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSegments } from '../../lib/metrics/metrics.segments.js';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop, anOrder, type TestShop } from '../fixtures/api.js';
import { metricsStreamHandler, ORDER_CANCEL, record } from '../fixtures/metrics.js';

const CUSTOMER_SEGMENT = /* GraphQL */ `
  query ($e: String!) {
    customerByExternalId(externalId: $e) {
      rfm { recency frequency monetary group computedAt }
      churnRisk { level daysSinceLastOrder typicalIntervalDays expectedNextOrderAt }
    }
  }
`;
const SEGMENT_COUNTS = /* GraphQL */ `
  query ($from: DateTime!, $to: DateTime!) { segmentCounts(from: $from, to: $to) { computedAt customers groups { group customers } } }
`;

const DAY = 86_400_000;

let poller: StreamPoller;
beforeAll(async () => {
  poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, intervalMs: 0, handler: metricsStreamHandler });
});
afterAll(async () => {
  await poller.stop();
});

describe('RFM segments and churn risk', () => {
  let t: TestShop;
  // Customer i: i + 1 orders, 10 days apart, the last one 10 × i days before now, 1,000 × (i + 1) each (+ shipping 500).
  const customers = Array.from({ length: 10 }, (_, i) => ({ id: `seg-${i}`, orders: i + 1, lastDaysAgo: 10 * i }));

  beforeAll(async () => {
    t = await aShop({ timeZone: 'UTC', now: '2026-03-01T12:00:00.000Z' });
    const now = t.clock.now().getTime();
    for (const c of customers) {
      for (let k = 0; k < c.orders; k += 1) {
        await record(t, anOrder({ orderId: `${c.id}-${k}`, customer: { externalId: c.id }, placedAt: new Date(now - (c.lastDaysAgo + 10 * k) * DAY).toISOString(), subtotal: 1_000 * (c.orders) }));
      }
    }
    // A cancelled order counts for nothing.
    await record(t, anOrder({ orderId: 'seg-0-cancelled', customer: { externalId: 'seg-0' }, placedAt: new Date(now - 400 * DAY).toISOString() }));
    await t.gql(ORDER_CANCEL, { input: { orderId: 'seg-0-cancelled' } });
    await poller.drain();
  }, 600_000);

  it('scores customers by the quintiles of the latest run and groups them', async () => {
    await computeSegments(t.tenantId, t.clock.now());

    const results = await Promise.all(customers.map(async (c) => (await t.gql(CUSTOMER_SEGMENT, { e: c.id })).data!.customerByExternalId.rfm));

    // Recency 0,10,..,90 days; frequency and monetary grow with i: quintiles split the ten customers two by two.
    expect(results.map((r) => [r.recency, r.frequency, r.monetary, r.group])).toEqual([
      [5, 1, 1, 'NEW'],
      [5, 1, 1, 'NEW'],
      [4, 2, 2, 'POTENTIAL_LOYALIST'],
      [4, 2, 2, 'POTENTIAL_LOYALIST'],
      [3, 3, 3, 'NEEDS_ATTENTION'],
      [3, 3, 3, 'NEEDS_ATTENTION'],
      [2, 4, 4, 'AT_RISK'],
      [2, 4, 4, 'AT_RISK'],
      [1, 5, 5, 'CANNOT_LOSE'],
      [1, 5, 5, 'CANNOT_LOSE'],
    ]);
    const counts = await t.gql(SEGMENT_COUNTS, { from: '2026-01-01T00:00:00Z', to: '2026-12-31T00:00:00Z' });
    const groups = Object.fromEntries(counts.data!.segmentCounts[0].groups.filter((g: any) => g.customers > 0).map((g: any) => [g.group, g.customers]));
    expect(counts.data!.segmentCounts[0].customers).toBe(10);
    expect(groups).toEqual({ NEW: 2, POTENTIAL_LOYALIST: 2, NEEDS_ATTENTION: 2, AT_RISK: 2, CANNOT_LOSE: 2 });
  });

  it("tells churn risk from the customer's own interval, and the shop's median for one-order customers", async () => {
    await computeSegments(t.tenantId, t.clock.now());
    t.clock.advance(25 * DAY);

    const regular = (await t.gql(CUSTOMER_SEGMENT, { e: 'seg-3' })).data!.customerByExternalId.churnRisk;
    const single = (await t.gql(CUSTOMER_SEGMENT, { e: 'seg-0' })).data!.customerByExternalId.churnRisk;

    // seg-3: last order 30 days before the run, every 10 days: 55 days since → HIGH.
    expect(regular).toEqual({ level: 'HIGH', daysSinceLastOrder: 55, typicalIntervalDays: 10, expectedNextOrderAt: '2026-02-09T12:00:00.000Z' });
    // seg-0: one order (the cancelled one does not count) 25 days ago; the shop's median interval is 10 days.
    expect(single).toMatchObject({ level: 'HIGH', daysSinceLastOrder: 25, typicalIntervalDays: 10 });
    t.clock.advance(-25 * DAY);
  });
});
