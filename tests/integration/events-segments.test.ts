import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../lib/db/service.js';
import { computeSegments } from '../../lib/metrics/metrics.segments.js';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop, anOrder, type TestShop } from '../fixtures/api.js';
import { metricsStreamHandler, record } from '../fixtures/metrics.js';

const GROUPS = /* GraphQL */ `
  query ($e: String!) { customerByExternalId(externalId: $e) { id rfm { group recency frequency monetary computedAt } } }
`;

const DAY = 86_400_000;

interface SegmentEvent {
  customerId: string;
  group: string;
  previousGroup?: string | null;
  nextGroup?: string | null;
  runAsOf: string;
}

async function segmentEvents(shopId: string, type: string, runAsOf: string): Promise<SegmentEvent[]> {
  const { data } = await db().entities.event.query.byTime({ tenantId: shopId }).go({ pages: 'all' });
  return data
    .filter((event) => event.type === type && (event.data as SegmentEvent).runAsOf === runAsOf)
    .map((event) => event.data as SegmentEvent)
    .sort((a, b) => a.customerId.localeCompare(b.customerId));
}

let poller: StreamPoller;
beforeAll(async () => {
  poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, intervalMs: 0, handler: metricsStreamHandler });
});
afterAll(async () => {
  await poller.stop();
});

describe('segment.entered / segment.left', () => {
  let t: TestShop;
  // Customer i: i + 1 orders, 10 days apart, the last one 10 × i days before the first run.
  const customers = Array.from({ length: 6 }, (_, i) => ({ id: `sev-${i}`, orders: i + 1, lastDaysAgo: 10 * i }));
  const groupsAt = async () =>
    Object.fromEntries(
      await Promise.all(customers.map(async (c) => {
        const customer = (await t.gql(GROUPS, { e: c.id })).data!.customerByExternalId;
        // The global id ends with the customer's own id, the one events carry.
        const customerId = Buffer.from(customer.id as string, 'base64url').toString().split(':').at(-1)!;
        return [customerId, customer.rfm.group as string] as const;
      })),
    );

  beforeAll(async () => {
    t = await aShop({ timeZone: 'UTC', now: '2026-03-01T12:00:00.000Z' });
    const now = t.clock.now().getTime();
    for (const c of customers) {
      for (let k = 0; k < c.orders; k += 1) {
        await record(t, anOrder({ orderId: `${c.id}-${k}`, customer: { externalId: c.id }, placedAt: new Date(now - (c.lastDaysAgo + 10 * k) * DAY).toISOString(), subtotal: 1_000 * c.orders }));
      }
    }
    await poller.drain();
  }, 120_000);

  it('reports every customer as entering their group at the first run, then only the differences, once', async () => {
    const first = t.clock.now().toISOString();
    await computeSegments(t.tenantId, t.clock.now(), t.clock);
    const before = await groupsAt();

    expect(await segmentEvents(t.tenantId, 'segment.entered', first)).toEqual(
      Object.entries(before)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([customerId, group]) => expect.objectContaining({ customerId, group, previousGroup: null, runAsOf: first })),
    );
    expect(await segmentEvents(t.tenantId, 'segment.left', first)).toEqual([]);

    // The least active customer comes back with a burst of big orders: their group changes, and the quintiles move others.
    t.clock.advance(DAY);
    for (let k = 0; k < 8; k += 1) {
      await record(t, anOrder({ orderId: `sev-5-back-${k}`, customer: { externalId: 'sev-5' }, placedAt: new Date(t.clock.now().getTime() - k * 60_000).toISOString(), subtotal: 50_000 }));
    }
    await poller.drain();
    const second = t.clock.now().toISOString();
    await computeSegments(t.tenantId, t.clock.now(), t.clock);
    const after = await groupsAt();
    const moved = Object.keys(after).filter((id) => after[id] !== before[id]).sort();

    expect(moved.length).toBeGreaterThan(0);
    expect(await segmentEvents(t.tenantId, 'segment.entered', second)).toEqual(moved.map((customerId) => expect.objectContaining({ customerId, group: after[customerId], previousGroup: before[customerId] })));
    expect(await segmentEvents(t.tenantId, 'segment.left', second)).toEqual(moved.map((customerId) => expect.objectContaining({ customerId, group: before[customerId], nextGroup: after[customerId] })));

    // A rerun of the same run (EventBridge delivers at least once) writes no event.
    const { data: all } = await db().entities.event.query.byTime({ tenantId: t.tenantId }).go({ pages: 'all' });
    await computeSegments(t.tenantId, t.clock.now(), t.clock);
    const { data: again } = await db().entities.event.query.byTime({ tenantId: t.tenantId }).go({ pages: 'all' });
    expect(again).toHaveLength(all.length);
  }, 60_000);
});
