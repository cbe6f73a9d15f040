import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMeter, withMeter } from '../../lib/db/client.js';
import { aShop, anOrder, type TestShop } from '../fixtures/api.js';
import {
  COHORT_REPORT,
  flattenCohorts,
  flattenFigures,
  flattenLifetimeValue,
  generateShop,
  LIFETIME_VALUE_REPORT,
  metricsStreamHandler as streamHandler,
  record,
  recordGenerated,
  referenceRetentionView,
  retention as report,
  RETENTION_REPORT,
  type Generated,
  type Row,
} from '../fixtures/metrics.js';
import { referenceCohorts, referenceLifetimeValue, type ReferenceGranularity } from '../fixtures/reference-metrics.js';
import { feedStream } from '../fixtures/stream.js';

const stream = feedStream(streamHandler);
const { delivered } = stream;

describe('retentionReport', () => {
  it('gives the worked check of METRICS.md for Q2 2024', async () => {
    const t = await aShop({ timeZone: 'Europe/Berlin' });
    const orders: Array<[string, string]> = [
      ['A', '2024-02-10T10:00:00Z'], ['A', '2024-05-10T10:00:00Z'],
      ['B', '2024-01-15T10:00:00Z'],
      ['C', '2024-03-01T10:00:00Z'], ['C', '2024-06-20T10:00:00Z'],
      ['G', '2024-02-02T10:00:00Z'],
      ['D', '2023-08-01T10:00:00Z'], ['D', '2024-04-11T10:00:00Z'],
      ['E', '2024-04-02T10:00:00Z'],
      ['F', '2024-06-29T10:00:00Z'],
    ];
    for (const [customer, placedAt] of orders) await record(t, anOrder({ customer: { externalId: customer }, placedAt }));

    await stream.poller.drain();
    const q2 = (await report(t, 'QUARTER', '2024-Q2', '2024-Q2')).periods[0];

    expect(q2).toMatchObject({
      period: '2024-Q2',
      customersAtStart: 4,
      customersAtEnd: 5,
      newCustomers: 2,
      retainedCustomers: 2,
      reactivatedCustomers: 1,
      lostCustomers: 2,
      customerRetentionRate: 75,
      cohortRetentionRate: 50,
      churnRate: 50,
    });
  });

  it('states its definitions and its period boundaries in the shop time zone', async () => {
    const t = await aShop({ timeZone: 'Europe/Berlin', currencyCode: 'EUR' });

    const res = await report(t, 'MONTH', '2024-03', '2024-03', 'ALL_PRIOR');

    expect(res.definitions).toEqual({ granularity: 'MONTH', lookback: 'ALL_PRIOR', timeZone: 'Europe/Berlin', revenueBasis: 'TOTAL', currencyCode: 'EUR' });
    expect(res.periods[0]).toMatchObject({ period: '2024-03', startsAt: '2024-02-29T23:00:00.000Z', endsAt: '2024-03-31T22:00:00.000Z', customersAtEnd: 0, churnRate: null });
  });

  it.each([
    ['from after to', { granularity: 'MONTH', from: '2024-05', to: '2024-04' }, /must not come before/],
    ['a key of another granularity', { granularity: 'QUARTER', from: '2024-05', to: '2024-Q4' }, /QUARTER period key/],
    ['a week key that is not a Monday', { granularity: 'WEEK', from: '2024-02-13', to: '2024-03-04' }, /WEEK period key/],
    ['more than 520 periods', { granularity: 'MONTH', from: '1970-01', to: '2024-01' }, /at most 520/],
  ])('refuses %s as BAD_USER_INPUT', async (_name, args, message) => {
    const t = await aShop();

    const res = await t.gql(RETENTION_REPORT, args);

    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(message);
  });

  it('needs the metrics:read scope', async () => {
    const t = await aShop();
    const key = await t.keyWith(['ORDERS_READ']);

    const res = await t.gql(RETENTION_REPORT, { granularity: 'YEAR', from: '2024', to: '2024' }, { authorization: `Bearer ${key}` });

    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

const granularityRanges: Array<[ReferenceGranularity, string, string]> = [
  ['WEEK', '2023-01-02', '2024-12-30'],
  ['MONTH', '2023-01', '2024-12'],
  ['QUARTER', '2023-Q1', '2024-Q4'],
  ['YEAR', '2023', '2024'],
];

describe('metrics over generated orders', () => {
  let t: TestShop;
  let data: Generated;
  beforeAll(async () => {
    t = await aShop({ timeZone: 'UTC' });
    data = generateShop(7, 50);
    await recordGenerated(t, data, 7);
    await stream.poller.drain();
  }, 600_000);

  it.each(granularityRanges.flatMap(([g, from, to]) => [[g, from, to, 'PREVIOUS_PERIOD'], [g, from, to, 'ALL_PRIOR']] as const))(
    'retentionReport(%s, %s..%s, %s) equals the independent computation',
    async (granularity, from, to, lookback) => {
      const expected = referenceRetentionView(data.final, { granularity, first: from, last: to, lookback });

      const res = await report(t, granularity, from, to, lookback);

      expect({ periods: res.periods.map(({ period, ...row }: Row) => ({ period, ...flattenFigures(row) })), totals: flattenFigures(res.totals) }).toEqual(expected);
    },
  );

  it.each(granularityRanges)('cohortReport(%s, %s..%s) equals the independent computation', async (granularity, from, to) => {
    const expected = referenceCohorts(data.final, { granularity, first: from, last: to });

    const res = await t.gql(COHORT_REPORT, { granularity, from, to });

    expect(res.errors).toBeUndefined();
    expect(flattenCohorts(res.data!.cohortReport.cohorts)).toEqual(expected);
  });

  it.each(granularityRanges)('lifetimeValueReport(%s, %s..%s) equals the independent computation', async (granularity, from, to) => {
    const expected = referenceLifetimeValue(data.final, { granularity, first: from, last: to });

    const res = await t.gql(LIFETIME_VALUE_REPORT, { granularity, from, to });

    expect(res.errors).toBeUndefined();
    expect(flattenLifetimeValue(res.data!.lifetimeValueReport)).toEqual(expected);
  });

  it('counts nothing twice when the stream delivers every batch again', async () => {
    const before = await report(t, 'MONTH', '2023-01', '2024-12');
    const meter = newMeter();

    await withMeter(meter, async () => {
      for (const event of [...delivered]) await streamHandler(event);
    });

    expect(await report(t, 'MONTH', '2023-01', '2024-12')).toEqual(before);
    expect(meter.byCommand.TransactWriteCommand ?? 0).toBe(0);
  });

  it('keeps anonymous counts when a customer is erased', async () => {
    const before = await report(t, 'QUARTER', '2023-Q1', '2024-Q4');
    const lookup = await t.gql(`query ($e: String!) { customerByExternalId(externalId: $e) { id } }`, { e: 'gen-7-0' });
    const erase = await t.gql(`mutation ($input: CustomerEraseInput!) { customerErase(input: $input) { customer { id } } }`, {
      input: { id: lookup.data!.customerByExternalId.id },
    });
    expect(erase.errors).toBeUndefined();

    await stream.poller.drain();

    expect(await report(t, 'QUARTER', '2023-Q1', '2024-Q4')).toEqual(before);
  });
});

describe('metrics under out-of-order history import', () => {
  it('moves the cohort and first-order period when older orders arrive after recent ones', async () => {
    const t = await aShop({ timeZone: 'UTC' });
    await record(t, anOrder({ orderId: 'recent-1', customer: { externalId: 'h1' }, placedAt: '2024-06-10T10:00:00Z' }));
    await record(t, anOrder({ orderId: 'recent-2', customer: { externalId: 'h1' }, placedAt: '2024-07-10T10:00:00Z' }));
    await stream.poller.drain();
    const beforeImport = await report(t, 'QUARTER', '2024-Q1', '2024-Q3');
    expect(beforeImport.periods.map((p: Row) => p.newCustomers)).toEqual([0, 1, 0]);

    await record(t, anOrder({ orderId: 'history-1', customer: { externalId: 'h1' }, placedAt: '2024-01-20T10:00:00Z' }));
    await stream.poller.drain();

    const after = await report(t, 'QUARTER', '2024-Q1', '2024-Q3');
    expect(after.periods.map((p: Row) => [p.period, p.newCustomers, p.customersAtEnd, p.reactivatedCustomers, p.retainedCustomers])).toEqual([
      ['2024-Q1', 1, 1, 0, 0],
      ['2024-Q2', 0, 1, 0, 1],
      ['2024-Q3', 0, 1, 0, 1],
    ]);
    const cohorts = await t.gql(COHORT_REPORT, { granularity: 'QUARTER', from: '2024-Q1', to: '2024-Q3' });
    expect(cohorts.data!.cohortReport.cohorts.map((c: Row) => [c.cohort, c.size, c.cells.map((cell: Row) => cell.activeCustomers)])).toEqual([
      ['2024-Q1', 1, [1, 1, 1]],
      ['2024-Q2', 0, [0, 0]],
      ['2024-Q3', 0, [0]],
    ]);
  });
});
