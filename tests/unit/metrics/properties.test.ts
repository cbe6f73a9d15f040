import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyOrders, EMPTY_ACTIVITY, type Counters, type OrderFacts } from '../../../lib/metrics/contribution.js';
import { nextPeriod, periodOf, periodRange, previousPeriod, GRANULARITIES } from '../../../lib/metrics/periods.js';
import { cohortReport, lifetimeValueReport, retentionReport } from '../../../lib/metrics/reports.js';
import {
  referenceCohorts,
  referenceLifetimeValue,
  referenceRetention,
  referenceSpan,
  type ReferenceOrder,
  type ReferenceRange,
} from '../../fixtures/reference-metrics.js';
import {
  cohortInputFrom,
  eventsReaching,
  InMemoryConsumer,
  retentionInputFrom,
  revenueBefore,
  seededRandom,
  seededShuffle,
  type MetricsSettings,
  type OrderEvent,
} from './consumer.js';

const FROM = Date.parse('2019-11-01T00:00:00Z');
const TO = Date.parse('2021-03-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// Instants near period boundaries in the zones below, where an off-by-one-hour bug would show.
const EDGES = [
  '2020-01-01T00:00:00Z',
  '2019-12-31T23:00:00Z',
  '2020-03-29T01:00:00Z',
  '2020-03-31T22:00:00Z',
  '2020-07-01T04:00:00Z',
  '2020-10-01T00:00:00Z',
  '2020-11-01T04:00:00Z',
  '2020-12-28T00:00:00Z',
  '2021-01-04T05:00:00Z',
].map(Date.parse);

const instantArb = fc.oneof(
  fc.integer({ min: FROM, max: TO }),
  fc.constantFrom(...EDGES).chain((edge) => fc.integer({ min: edge - 2 * HOUR, max: edge + 2 * HOUR })),
);

const settingsArb: fc.Arbitrary<MetricsSettings> = fc.record({
  granularity: fc.constantFrom(...GRANULARITIES),
  timeZone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe'),
  basis: fc.constantFrom('TOTAL' as const, 'SUBTOTAL' as const),
});

const finalOrdersArb: fc.Arbitrary<ReferenceOrder[]> = fc
  .array(
    fc.record({
      customer: fc.integer({ min: 0, max: 5 }),
      placedAt: instantArb,
      total: fc.integer({ min: 0, max: 50_000 }),
      subtotalShare: fc.integer({ min: 0, max: 100 }),
      refundShare: fc.oneof(fc.constant(0), fc.constant(100), fc.integer({ min: 1, max: 99 })),
      cancelled: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    }),
    { maxLength: 30 },
  )
  .map((drafts) =>
    drafts.map((draft, index) => ({
      customerId: `c${draft.customer}`,
      orderId: `o${index}`,
      placedAt: draft.placedAt,
      status: draft.cancelled ? ('CANCELLED' as const) : ('PLACED' as const),
      total: draft.total,
      subtotal: Math.floor((draft.total * draft.subtotalShare) / 100),
      refunded: Math.floor((draft.total * draft.refundShare) / 100),
    })),
  );

function referenceOptions(settings: MetricsSettings) {
  const { granularity, timeZone, basis } = settings;
  return {
    granularity,
    revenueBasis: basis,
    // The reference derives UTC periods itself; other zones' periods come from the library.
    ...(timeZone === 'UTC' ? {} : { periodOfOrder: (order: ReferenceOrder) => periodOf(order.placedAt, granularity, timeZone) }),
  };
}

/** Every report from the counters equals the reference computed from the orders as they stand. */
function expectReportsToMatchReference(counters: Counters, orders: readonly ReferenceOrder[], settings: MetricsSettings, window: [number, number]): void {
  const options = referenceOptions(settings);
  const span = referenceSpan(orders, options);
  if (!span) {
    expect(counters.size).toBe(0);
    return;
  }
  // From a period before the first order to one after the last, or a window inside that.
  const all = periodRange(previousPeriod(span.first), nextPeriod(span.last));
  const start = window[0] % all.length;
  const first = all[start] as string;
  const last = all[start + (window[1] % (all.length - start))] as string;
  const range: ReferenceRange = { ...options, first, last };

  for (const lookback of ['PREVIOUS_PERIOD', 'ALL_PRIOR'] as const) {
    expect(retentionReport(retentionInputFrom(counters, first, last, lookback))).toEqual(referenceRetention(orders, { ...range, lookback }));
  }
  expect(cohortReport(cohortInputFrom(counters, first, last))).toEqual(referenceCohorts(orders, range));
  expect(
    lifetimeValueReport({ ...retentionInputFrom(counters, first, last, 'PREVIOUS_PERIOD'), revenueBefore: revenueBefore(counters, first) }),
  ).toEqual(referenceLifetimeValue(orders, range));
}

describe('applyOrder over the records of one order', () => {
  it('reaches the same state whatever the arrival order and however often records repeat', () => {
    // Tiny domains, so that records differing in a single field are common.
    const recordArb = fc.record({
      orderId: fc.constant('o'),
      placedAt: fc.constantFrom(FROM, TO),
      status: fc.constantFrom('PLACED' as const, 'CANCELLED' as const),
      total: fc.constantFrom(0, 1_000),
      subtotal: fc.constantFrom(0, 800),
      refunded: fc.constantFrom(0, 500),
      version: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 8 }), fc.integer(), (records: OrderFacts[], seed) => {
        const random = seededRandom(seed);
        const reordered = seededShuffle([...records, ...records.filter(() => random() < 0.5)], random);

        expect(applyOrders(EMPTY_ACTIVITY, reordered)).toEqual(applyOrders(EMPTY_ACTIVITY, records));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the counters maintained from contribution diffs', () => {
  it('equal the reference for orders arriving shuffled, redelivered, with intermediate versions', () => {
    fc.assert(
      fc.property(
        finalOrdersArb,
        settingsArb,
        fc.integer(),
        fc.boolean(),
        fc.tuple(fc.nat(), fc.nat()),
        (orders, settings, seed, versioned, window) => {
          const events = eventsReaching(orders, seededRandom(seed), { versioned, redeliveryRate: 0.3 });

          const consumer = new InMemoryConsumer(settings).applyAll(events);

          expect(consumer.counters).toEqual(consumer.rebuild());
          expectReportsToMatchReference(consumer.counters, orders, settings, window);
        },
      ),
      { numRuns: 150 },
    );
  });

  type Change =
    | { kind: 'add'; customer: number; placedAt: number; total: number }
    | { kind: 'addOlder'; customer: number; daysEarlier: number; total: number }
    | { kind: 'cancel'; pick: number }
    | { kind: 'refund'; pick: number; share: number };

  const changeArb: fc.Arbitrary<Change> = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), customer: fc.integer({ min: 0, max: 4 }), placedAt: instantArb, total: fc.integer({ min: 0, max: 9_999 }) }),
    fc.record({
      kind: fc.constant('addOlder' as const),
      customer: fc.integer({ min: 0, max: 4 }),
      daysEarlier: fc.integer({ min: 1, max: 200 }),
      total: fc.integer({ min: 0, max: 9_999 }),
    }),
    fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), share: fc.integer({ min: 1, max: 100 }) }),
  );

  it('equal a recomputation from scratch after every change of a sequence, and the reference at its end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(changeArb, fc.nat()), { minLength: 1, maxLength: 25 }),
        settingsArb,
        fc.tuple(fc.nat(), fc.nat()),
        (changes, settings, window) => {
          const consumer = new InMemoryConsumer(settings);
          const current = new Map<string, ReferenceOrder & { version: number }>();
          const delivered: OrderEvent[] = [];
          const record = (order: ReferenceOrder, version: number) => {
            current.set(order.orderId, { ...order, version });
            const { customerId, ...facts } = order;
            const event = { customerId, order: { ...facts, version } };
            delivered.push(event);
            consumer.apply(event);
          };

          changes.forEach(([change, redelivery], step) => {
            const existing = [...current.values()];
            if (change.kind === 'add' || change.kind === 'addOlder') {
              const customerId = `c${change.customer}`;
              const theirs = existing.filter((order) => order.customerId === customerId).map((order) => order.placedAt);
              const placedAt = change.kind === 'add' ? change.placedAt : (theirs.length > 0 ? Math.min(...theirs) : TO) - change.daysEarlier * DAY;
              const total = change.total;
              record({ customerId, orderId: `o${step}`, placedAt, status: 'PLACED', total, subtotal: Math.floor(total * 0.8), refunded: 0 }, 1);
            } else if (existing.length > 0) {
              const target = existing[change.pick % existing.length] as ReferenceOrder & { version: number };
              const { version, ...order } = target;
              const next =
                change.kind === 'cancel'
                  ? { ...order, status: 'CANCELLED' as const }
                  : { ...order, refunded: Math.min(order.total, order.refunded + Math.ceil((order.total * change.share) / 100)) };
              record(next, version + 1);
            }
            // A redelivered older record changes nothing.
            if (delivered.length > 0) consumer.apply(delivered[redelivery % delivered.length] as OrderEvent);

            expect(consumer.counters).toEqual(consumer.rebuild());
          });

          const finalOrders = [...current.values()].map(({ version: _version, ...order }) => order);
          expectReportsToMatchReference(consumer.counters, finalOrders, settings, window);
        },
      ),
      { numRuns: 150 },
    );
  });
});
