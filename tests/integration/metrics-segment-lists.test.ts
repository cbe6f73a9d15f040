import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsProjection } from '../../lib/metrics/metrics.projection.js';
import { advanceRebuild } from '../../lib/metrics/metrics.rebuild.js';
import { applyOrderToPurchases, purchasesProjection } from '../../lib/metrics/metrics.purchases.js';
import { computeSegments } from '../../lib/metrics/metrics.segments.js';
import { RFM_GROUPS, rfmGroupOf, type RfmGroup } from '../../lib/metrics/segments.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop, anOrder, type GraphQLResponse, type TestShop } from '../fixtures/api.js';
import { ORDER_CANCEL, record } from '../fixtures/metrics.js';
import { jobIdOf } from '../../lib/graphql/ids.js';

const SEGMENT_PAGE = /* GraphQL */ `
  query ($segment: RfmGroup!, $after: String) {
    customers(first: 2, after: $after, filter: { segment: $segment }) {
      nodes { externalId rfm { group } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const REPLENISHMENT_DUE = /* GraphQL */ `
  query ($category: String!, $from: DateTime!, $to: DateTime!) {
    replenishmentDue(category: $category, from: $from, to: $to, first: 100) {
      nodes { customer { externalId } category purchaseDays lastPurchaseAt usualIntervalDays expectedNextAt }
    }
  }
`;
const BRIGHT_SPOTS = /* GraphQL */ `
  query ($from: String!, $to: String!) {
    loyalCustomerProducts(period: { from: $from, to: $to }, first: 10) {
      products { ...spot }
      categories { ...spot }
    }
  }
  fragment spot on BrightSpot {
    key loyalUnits loyalRevenue { amount } otherUnits otherRevenue { amount }
    loyalUnitShare otherUnitShare unitLift loyalRevenueShare otherRevenueShare revenueLift
  }
`;

const DAY = 86_400_000;

let poller: StreamPoller;
beforeAll(async () => {
  const handler = createStreamHandler([metricsProjection, purchasesProjection]);
  poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, intervalMs: 0, handler });
});
afterAll(async () => {
  await poller.stop();
});

interface Placed {
  customer: string;
  orderId: string;
  placedAt: number;
  cancelled: boolean;
}

/** Independent RFM grouping of the test's own orders: nearest-rank quintiles of recency days and counted orders. */
function expectedGroups(orders: readonly Placed[], now: number): Map<string, RfmGroup> {
  const byCustomer = new Map<string, number[]>();
  for (const o of orders) if (!o.cancelled) byCustomer.set(o.customer, [...(byCustomer.get(o.customer) ?? []), o.placedAt]);
  const values = [...byCustomer].map(([customer, times]) => ({ customer, recency: Math.floor((now - Math.max(...times)) / DAY), frequency: times.length }));
  const quintiles = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.ceil(q * sorted.length) - 1]!);
  };
  const rq = quintiles(values.map((v) => v.recency));
  const fq = quintiles(values.map((v) => v.frequency));
  return new Map(
    values.map((v) => [v.customer, rfmGroupOf(5 - rq.filter((t) => v.recency > t).length, 1 + fq.filter((t) => v.frequency > t).length)]),
  );
}

async function listGroup(t: TestShop, segment: RfmGroup): Promise<Array<{ externalId: string; rfm: { group: string } }>> {
  const nodes: Array<{ externalId: string; rfm: { group: string } }> = [];
  let after: string | null = null;
  do {
    const res: GraphQLResponse<any> = await t.gql(SEGMENT_PAGE, { segment, after });
    expect(res.errors).toBeUndefined();
    nodes.push(...res.data!.customers.nodes);
    after = res.data!.customers.pageInfo.hasNextPage ? res.data!.customers.pageInfo.endCursor : null;
  } while (after);
  return nodes;
}

async function allListings(t: TestShop): Promise<Map<string, RfmGroup>> {
  const listed = new Map<string, RfmGroup>();
  for (const group of RFM_GROUPS) {
    for (const node of await listGroup(t, group)) {
      expect(listed.has(node.externalId)).toBe(false);
      expect(node.rfm.group).toBe(group);
      listed.set(node.externalId, group);
    }
  }
  return listed;
}

/**
 * Ten customers: customer i has i + 1 orders 10 days apart, the last one `lastDaysAgo(i)` days
 * before now; returns what was placed.
 */
async function recordHistory(t: TestShop, prefix: string, lastDaysAgo: (i: number) => number): Promise<Placed[]> {
  const now = t.clock.now().getTime();
  const placed: Placed[] = [];
  for (let i = 0; i < 10; i += 1) {
    for (let k = 0; k <= i; k += 1) {
      const orderId = `${prefix}-${i}-${k}`;
      const placedAt = now - (lastDaysAgo(i) + 10 * k) * DAY;
      placed.push({ customer: `${prefix}-${i}`, orderId, placedAt, cancelled: false });
    }
  }
  for (let i = 0; i < placed.length; i += 8) {
    await Promise.all(placed.slice(i, i + 8).map((p) => record(t, anOrder({ orderId: p.orderId, customer: { externalId: p.customer }, placedAt: new Date(p.placedAt).toISOString() }))));
  }
  await poller.drain();
  return placed;
}

describe('customers by RFM segment', () => {
  let t: TestShop;
  let other: TestShop;
  let placed: Placed[];

  beforeAll(async () => {
    t = await aShop({ timeZone: 'UTC', now: '2026-03-01T12:00:00.000Z' });
    other = await aShop({ timeZone: 'UTC', now: '2026-03-01T12:00:00.000Z' });
    placed = await recordHistory(t, 'seg', (i) => 10 * i);
  }, 60_000);

  it('lists exactly the customers of each group at the latest run', async () => {
    await computeSegments(t.tenantId, t.clock.now());

    const listed = await allListings(t);

    expect(listed).toEqual(expectedGroups(placed, t.clock.now().getTime()));
    expect(new Set(listed.values()).size).toBeGreaterThanOrEqual(4);
  });

  it('replaces the previous membership with a later run', async () => {
    await computeSegments(t.tenantId, t.clock.now());
    t.clock.advance(40 * DAY);
    const now = t.clock.now().getTime();
    // seg-0 buys five times and seg-1 once; every order of seg-2 is cancelled, so seg-2 leaves every group.
    for (const [customer, daysAgo] of [['seg-0', 1], ['seg-0', 2], ['seg-0', 3], ['seg-0', 4], ['seg-0', 5], ['seg-1', 2]] as const) {
      const p = { customer, orderId: `${customer}-again-${daysAgo}`, placedAt: now - daysAgo * DAY, cancelled: false };
      await record(t, anOrder({ orderId: p.orderId, customer: { externalId: customer }, placedAt: new Date(p.placedAt).toISOString() }));
      placed.push(p);
    }
    for (const p of placed.filter((p) => p.customer === 'seg-2')) {
      await t.gql(ORDER_CANCEL, { input: { orderId: p.orderId } });
      p.cancelled = true;
    }
    await poller.drain();
    const before = await allListings(t);

    await computeSegments(t.tenantId, t.clock.now());
    const after = await allListings(t);

    const expected = expectedGroups(placed, now);
    expect(after).toEqual(expected);
    expect(after.has('seg-2')).toBe(false);
    expect(before.has('seg-2')).toBe(true);
    expect(after.get('seg-0')).not.toBe(before.get('seg-0'));
  });

  it('answers how many were AT_RISK this month and last', async () => {
    const res = await t.gql(`query ($from: DateTime!, $to: DateTime!) { segmentCounts(from: $from, to: $to) { computedAt groups { group customers } } }`, {
      from: '2026-03-01T00:00:00.000Z',
      to: t.clock.now().toISOString(),
    });

    const atRisk = res.data!.segmentCounts.map((run: any) => [run.computedAt.slice(0, 7), run.groups.find((g: any) => g.group === 'AT_RISK').customers]);
    const count = (groups: Map<string, RfmGroup>) => [...groups.values()].filter((g) => g === 'AT_RISK').length;
    const firstRun = placed.filter((p) => p.placedAt <= Date.parse('2026-03-01T12:00:00.000Z')).map((p) => ({ ...p, cancelled: false }));
    expect(atRisk).toEqual([
      ['2026-03', count(expectedGroups(firstRun, Date.parse('2026-03-01T12:00:00.000Z')))],
      ['2026-04', count(expectedGroups(placed, t.clock.now().getTime()))],
    ]);
  });

  it('keeps shops apart', async () => {
    const res = await other.gql(SEGMENT_PAGE, { segment: 'CANNOT_LOSE' });

    expect(res.data!.customers.nodes).toEqual([]);
  });

  it('refuses the segment filter combined with another filter', async () => {
    const res = await t.gql(`{ customers(filter: { segment: LOYAL, tag: "vip" }) { nodes { id } } }`);

    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('replenishment due', () => {
  let t: TestShop;
  let other: TestShop;
  const at = (day: number) => Date.parse('2026-01-01T10:00:00.000Z') + day * DAY;
  const iso = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    t = await aShop({ timeZone: 'UTC' });
    other = await aShop({ timeZone: 'UTC' });
    const line = (category: string) => ({ lineItems: [{ productId: `${category}-1`, category, quantity: 1, unitPrice: 5_000 }] });
    const orders: Array<[TestShop, string, string, number, string]> = [
      // every 10 days: expected at day 30
      [t, 'reg', 'reg-1', 0, 'coffee'],
      [t, 'reg', 'reg-2', 10, 'coffee'],
      [t, 'reg', 'reg-3', 20, 'coffee'],
      [t, 'reg', 'reg-3b', 20, 'coffee'], // same day: one purchase day
      // days 0 and 14 (a cancelled one on day 20): expected at day 28
      [t, 'can', 'can-1', 0, 'coffee'],
      [t, 'can', 'can-2', 14, 'coffee'],
      [t, 'can', 'can-3', 20, 'coffee'],
      // one purchase day: no expectation
      [t, 'once', 'once-1', 5, 'coffee'],
      // another category
      [t, 'tea', 'tea-1', 0, 'tea'],
      [t, 'tea', 'tea-2', 10, 'tea'],
      // another shop, same rhythm
      [other, 'reg', 'o-reg-1', 0, 'coffee'],
      [other, 'reg', 'o-reg-2', 10, 'coffee'],
    ];
    for (const [shop, customer, orderId, day, category] of orders) {
      await record(shop, anOrder({ orderId, customer: { externalId: customer }, placedAt: iso(at(day)), ...line(category) }));
    }
    await t.gql(ORDER_CANCEL, { input: { orderId: 'can-3' } });
    await poller.drain();
  }, 60_000);

  it.each([
    ['the exact expected instants', at(28), at(30), ['can', 'reg']],
    ['a window ending 1 ms before', at(28) - 2 * DAY, at(28) - 1, []],
    ['a window starting 1 ms after', at(28) + 1, at(30) - 1, []],
    ['a window holding only the 30th day', at(30), at(30), ['reg']],
  ])('lists the customers due in %s', async (_name, from, to, expected) => {
    const res = await t.gql(REPLENISHMENT_DUE, { category: 'coffee', from: iso(from), to: iso(to) });

    expect(res.errors).toBeUndefined();
    expect(res.data!.replenishmentDue.nodes.map((n: any) => n.customer.externalId).sort()).toEqual(expected);
  });

  it('says when and why a customer is due', async () => {
    const res = await t.gql(REPLENISHMENT_DUE, { category: 'coffee', from: iso(at(0)), to: iso(at(100)) });

    expect(res.data!.replenishmentDue.nodes).toEqual([
      { customer: { externalId: 'can' }, category: 'coffee', purchaseDays: 2, lastPurchaseAt: iso(at(14)), usualIntervalDays: 14, expectedNextAt: iso(at(28)) },
      { customer: { externalId: 'reg' }, category: 'coffee', purchaseDays: 3, lastPurchaseAt: iso(at(20)), usualIntervalDays: 10, expectedNextAt: iso(at(30)) },
    ]);
  });

  it('keeps shops and categories apart', async () => {
    const theirs = await other.gql(REPLENISHMENT_DUE, { category: 'coffee', from: iso(at(0)), to: iso(at(100)) });
    const tea = await t.gql(REPLENISHMENT_DUE, { category: 'tea', from: iso(at(0)), to: iso(at(100)) });

    expect(theirs.data!.replenishmentDue.nodes.map((n: any) => [n.customer.externalId, n.expectedNextAt])).toEqual([['reg', iso(at(20))]]);
    expect(tea.data!.replenishmentDue.nodes.map((n: any) => n.customer.externalId)).toEqual(['tea']);
  });
});

describe('purchase read models of orders recorded before the projection', () => {
  it('are backfilled by a metrics rebuild, and the stream records applied later change nothing', async () => {
    const t = await aShop({ timeZone: 'UTC' });
    for (const [orderId, placedAt] of [['bf-1', '2026-01-01T10:00:00.000Z'], ['bf-2', '2026-01-11T10:00:00.000Z']]) {
      await record(t, anOrder({ orderId, customer: { externalId: 'bf' }, placedAt, lineItems: [{ productId: 'beans', category: 'coffee', quantity: 1, unitPrice: 5_000 }] }));
    }
    const window = { category: 'coffee', from: '2026-01-01T00:00:00.000Z', to: '2026-12-31T00:00:00.000Z' };
    const due = async () => (await t.gql(REPLENISHMENT_DUE, window)).data!.replenishmentDue.nodes.map((n: any) => [n.customer.externalId, n.expectedNextAt]);
    expect(await due()).toEqual([]);

    const started = await t.gql(`mutation { metricsRebuild { job { id } userErrors { code } } }`);
    let job = await advanceRebuild(t.tenantId, jobIdOf(t.tenantId, started.data!.metricsRebuild.job.id, 'MetricsRebuildJob')!, t.clock, 10_000);
    while (job?.status === 'RUNNING') job = await advanceRebuild(t.tenantId, job.jobId, t.clock, 10_000);
    const backfilled = await due();
    await poller.drain();

    expect(backfilled).toEqual([['bf', '2026-01-21T10:00:00.000Z']]);
    expect(await due()).toEqual(backfilled);
  });
});

describe('bright spots', () => {
  let t: TestShop;
  let other: TestShop;
  // Bought in the period [2026-03-02, 2026-03-04]; loyal per the run (customers 6-9: LOYAL and CHAMPIONS).
  const period = [
    { customer: 'bs-9', loyal: true, day: '2026-03-02', lines: [['espresso', 'coffee', 3, 1_000], ['mug', 'gear', 1, 2_000]] },
    { customer: 'bs-6', loyal: true, day: '2026-03-04', lines: [['espresso', 'coffee', 1, 1_000]] },
    { customer: 'bs-0', loyal: false, day: '2026-03-03', lines: [['espresso', 'coffee', 1, 1_000], ['filter', 'coffee', 4, 500]] },
    { customer: 'bs-4', loyal: false, day: '2026-03-02', lines: [['mug', 'gear', 1, 2_000]] },
  ] as const;

  beforeAll(async () => {
    t = await aShop({ timeZone: 'UTC', now: '2026-03-01T12:00:00.000Z' });
    other = await aShop({ timeZone: 'UTC', now: '2026-03-01T12:00:00.000Z' });
    // Customer i: i + 1 orders, the last 10 × (9 − i) days ago: the frequent ones are the recent ones.
    await recordHistory(t, 'bs', (i) => 10 * (9 - i));
    await computeSegments(t.tenantId, t.clock.now());
    t.clock.advance(5 * DAY);
    let n = 0;
    for (const o of period) {
      const lineItems = o.lines.map(([productId, category, quantity, unitPrice]) => ({ productId, category, quantity, unitPrice }));
      const subtotal = lineItems.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
      await record(t, anOrder({ orderId: `bs-period-${(n += 1)}`, customer: { externalId: o.customer }, placedAt: `${o.day}T09:00:00.000Z`, subtotal, lineItems }));
    }
    // Not counted: a cancelled order of a loyal customer, and an order the day after the period.
    await record(t, anOrder({ orderId: 'bs-cancelled', customer: { externalId: 'bs-8' }, placedAt: '2026-03-03T09:00:00.000Z', subtotal: 10_000, lineItems: [{ productId: 'mug', category: 'gear', quantity: 5, unitPrice: 2_000 }] }));
    await poller.drain();
    await t.gql(ORDER_CANCEL, { input: { orderId: 'bs-cancelled' } });
    await record(t, anOrder({ orderId: 'bs-late', customer: { externalId: 'bs-7' }, placedAt: '2026-03-05T00:00:00.000Z', subtotal: 10_000, lineItems: [{ productId: 'mug', category: 'gear', quantity: 5, unitPrice: 2_000 }] }));
    await poller.drain();
  }, 60_000);

  it('compares what loyal customers buy with everyone else', async () => {
    const loyal = (await listGroup(t, 'CHAMPIONS')).concat(await listGroup(t, 'LOYAL')).map((n) => n.externalId).sort();
    expect(loyal).toEqual(['bs-6', 'bs-7', 'bs-8', 'bs-9']);

    const res = await t.gql(BRIGHT_SPOTS, { from: '2026-03-02', to: '2026-03-04' });

    expect(res.errors).toBeUndefined();
    // By hand: loyal units espresso 4, mug 1 (of 5); others espresso 1, filter 4, mug 1 (of 6).
    // Loyal revenue espresso 4,000, mug 2,000 (of 6,000); others 1,000 + 2,000 + 2,000 (of 5,000).
    const spots = res.data!.loyalCustomerProducts;
    expect(spots.products.map((s: any) => s.key)).toEqual(['espresso', 'mug']);
    expect(spots.products[0]).toEqual({
      key: 'espresso',
      loyalUnits: 4,
      loyalRevenue: { amount: 4_000 },
      otherUnits: 1,
      otherRevenue: { amount: 1_000 },
      loyalUnitShare: (4 / 5) * 100,
      otherUnitShare: (1 / 6) * 100,
      unitLift: (4 / 5) / (1 / 6),
      loyalRevenueShare: (4_000 / 6_000) * 100,
      otherRevenueShare: (1_000 / 5_000) * 100,
      revenueLift: (4_000 / 6_000) / (1_000 / 5_000),
    });
    expect(spots.products[1]).toMatchObject({ key: 'mug', loyalUnits: 1, otherUnits: 1 });
    expect(spots.products[1].unitLift).toBeCloseTo((1 / 5) / (1 / 6), 12);
    // Categories: loyal coffee 4 of 5 units, others coffee 5 of 6.
    expect(spots.categories.map((s: any) => [s.key, s.loyalUnits, s.otherUnits])).toEqual([['coffee', 4, 5], ['gear', 1, 1]]);
    expect(spots.categories[0].unitLift).toBeCloseTo((4 / 5) / (5 / 6), 12);
  });

  it('reports what it folded apart from the products: nothing, for orders of a few products', async () => {
    const res = await t.gql(`{ loyalCustomerProducts(period: { from: "2026-03-02", to: "2026-03-04" }) { foldedProducts { loyalUnits otherUnits loyalRevenue { amount } } foldedCategories { loyalUnits otherUnits } } }`);

    expect(res.data!.loyalCustomerProducts).toEqual({ foldedProducts: { loyalUnits: 0, otherUnits: 0, loyalRevenue: { amount: 0 } }, foldedCategories: { loyalUnits: 0, otherUnits: 0 } });
  });

  it('ignores a redelivered or stale order record', async () => {
    const before = (await t.gql(BRIGHT_SPOTS, { from: '2026-03-02', to: '2026-03-04' })).data!.loyalCustomerProducts;
    const image = { tenantId: t.tenantId, orderId: 'bs-cancelled', customerId: 'any', placedAt: '2026-03-03T09:00:00.000Z', lineItems: [{ productId: 'mug', category: 'gear', quantity: 5, unitPrice: 2_000 }] };

    await applyOrderToPurchases({ ...image, status: 'PLACED', version: 1 });
    await applyOrderToPurchases({ ...image, status: 'CANCELLED', version: 2 });

    expect((await t.gql(BRIGHT_SPOTS, { from: '2026-03-02', to: '2026-03-04' })).data!.loyalCustomerProducts).toEqual(before);
  });

  it('names the segmentation run that split the customers', async () => {
    const res = await t.gql(`{ loyalCustomerProducts(period: { from: "2026-03-02", to: "2026-03-04" }) { segmentationRunAt } }`);

    expect(res.data!.loyalCustomerProducts.segmentationRunAt).toBe('2026-03-01T12:00:00.000Z');
  });

  it('counts every unit of an order of more than 25 products, folding nothing', async () => {
    const lineItems = Array.from({ length: 30 }, (_, i) => ({ productId: `big-${String(i).padStart(2, '0')}`, category: 'bulk', quantity: i + 1, unitPrice: 100 }));
    await record(t, anOrder({ orderId: 'bs-big', customer: { externalId: 'bs-9' }, placedAt: '2026-03-06T09:00:00.000Z', subtotal: 46_500, lineItems }));
    await poller.drain();

    const res = await t.gql(`{ loyalCustomerProducts(period: { from: "2026-03-06", to: "2026-03-06" }, first: 100) { products { key loyalUnits otherUnits } foldedProducts { loyalUnits otherUnits } } }`);

    const spots = res.data!.loyalCustomerProducts;
    expect(spots.products).toHaveLength(30);
    // 1 + 2 + ... + 30 units, each product its own row.
    expect(spots.products.reduce((sum: number, s: any) => sum + s.loyalUnits, 0)).toBe(465);
    expect(spots.products[0]).toEqual({ key: 'big-29', loyalUnits: 30, otherUnits: 0 });
    expect(spots.products.at(-1)).toEqual({ key: 'big-00', loyalUnits: 1, otherUnits: 0 });
    expect(spots.foldedProducts).toEqual({ loyalUnits: 0, otherUnits: 0 });
  });

  it('splits by the run at read time: the same orders in another arrival order, segmented later, give the same answer', async () => {
    const shops = [await aShop({ timeZone: 'UTC', now: '2026-03-01T12:00:00.000Z' }), await aShop({ timeZone: 'UTC', now: '2026-03-01T12:00:00.000Z' })];
    const answers = [];
    for (const [n, shop] of shops.entries()) {
      await recordHistory(shop, 'ro', (i) => 10 * (9 - i));
      shop.clock.advance(5 * DAY);
      const arrivals = n === 0 ? [...period] : [...period].reverse();
      for (const [k, o] of arrivals.entries()) {
        const lineItems = o.lines.map(([productId, category, quantity, unitPrice]) => ({ productId, category, quantity, unitPrice }));
        const subtotal = lineItems.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
        await record(shop, anOrder({ orderId: `ro-period-${o.customer}-${o.day}-${k}`, customer: { externalId: o.customer.replace('bs', 'ro') }, placedAt: `${o.day}T09:00:00.000Z`, subtotal, lineItems }));
      }
      await poller.drain();
      const beforeRun = (await shop.gql(`{ loyalCustomerProducts(period: { from: "2026-03-02", to: "2026-03-04" }) { segmentationRunAt products { key loyalUnits otherUnits } } }`)).data!.loyalCustomerProducts;
      // Before any run every order is on the others' side, and the answer says so.
      expect(beforeRun).toEqual({ segmentationRunAt: null, products: [] });
      await computeSegments(shop.tenantId, shop.clock.now());
      answers.push((await shop.gql(BRIGHT_SPOTS, { from: '2026-03-02', to: '2026-03-04' })).data!.loyalCustomerProducts);
    }

    expect(answers[1]).toEqual(answers[0]);
    const loyal = new Set((await listGroup(shops[0]!, 'CHAMPIONS')).concat(await listGroup(shops[0]!, 'LOYAL')).map((c) => c.externalId.replace('ro', 'bs')));
    // By hand from the run's groups: the loyal side is exactly the period units of its customers.
    const loyalUnits = period.filter((o) => loyal.has(o.customer)).flatMap((o) => o.lines as ReadonlyArray<readonly [string, string, number, number]>).reduce((sum, l) => sum + l[2], 0);
    expect(loyalUnits).toBeGreaterThan(0);
    expect(answers[0].products.reduce((sum: number, s: any) => sum + s.loyalUnits, 0)).toBe(loyalUnits);
  }, 120_000);

  it('keeps shops apart', async () => {
    const res = await other.gql(BRIGHT_SPOTS, { from: '2026-03-02', to: '2026-03-04' });

    expect(res.data!.loyalCustomerProducts).toEqual({ products: [], categories: [] });
  });
});
