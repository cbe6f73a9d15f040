import { describe, expect, it } from 'vitest';
import {
  brightSpotsOf,
  MAX_CATEGORIES_PER_ORDER,
  MAX_PRODUCTS_PER_ORDER,
  OTHER_CATEGORIES,
  OTHER_PRODUCTS,
  purchaseDiff,
  purchaseLinesOf,
  replenishedCategoriesOf,
  replenishmentOf,
} from '../../../lib/metrics/purchases.js';

const DAY = 86_400_000;
const at = (day: number, hour = 10) => Date.UTC(2026, 0, 1) + day * DAY + hour * 3_600_000;

describe('replenishmentOf', () => {
  it.each([
    ['no purchase', {}, { purchaseDays: 0, meanIntervalDays: null, expectedNextAt: null }],
    ['one purchase day', { a: at(0) }, { purchaseDays: 1, meanIntervalDays: null, expectedNextAt: null }],
    ['two orders on one day', { a: at(0, 8), b: at(0, 20) }, { purchaseDays: 1, meanIntervalDays: null, expectedNextAt: null }],
    ['days 0, 10, 20', { a: at(0), b: at(10), c: at(20) }, { purchaseDays: 3, meanIntervalDays: 10, expectedNextAt: at(30) }],
    ['days 0, 3, 4', { a: at(0), b: at(3), c: at(4, 23) }, { purchaseDays: 3, meanIntervalDays: 2, expectedNextAt: at(6, 23) }],
  ])('derives the expectation from %s', (_name, orders, expected) => {
    expect(replenishmentOf(orders)).toMatchObject(expected);
  });

  it('adds the mean interval to the last purchase instant, not to its day', () => {
    expect(replenishmentOf({ a: at(0, 23), b: at(1, 1) }).expectedNextAt).toBe(at(2, 1));
  });
});

describe('purchaseLinesOf', () => {
  it('sums units and revenue per product (id, else SKU, else title) and per category', () => {
    const lines = purchaseLinesOf([
      { productId: 'p1', sku: 's1', category: 'coffee', quantity: 2, unitPrice: 500 },
      { sku: 's2', title: 'Filter', category: 'coffee', quantity: 1, unitPrice: 300 },
      { title: 'Mug', quantity: 1, unitPrice: 900 },
      { productId: 'p1', category: 'coffee', quantity: 1, unitPrice: 450 },
    ]);

    expect(lines).toEqual({ 'P#p1': [3, 1_450], 'P#s2': [1, 300], 'P#Mug': [1, 900], 'C#coffee': [4, 1_750] });
  });

  it('keeps every product of a large order by default', () => {
    const many = Array.from({ length: MAX_PRODUCTS_PER_ORDER + 5 }, (_, i) => ({ productId: `p${i}`, quantity: i + 1, unitPrice: 100 }));

    const lines = purchaseLinesOf(many);

    expect(Object.keys(lines).filter((k) => k.startsWith('P#'))).toHaveLength(MAX_PRODUCTS_PER_ORDER + 5);
    expect(lines[`P#${OTHER_PRODUCTS}`]).toBeUndefined();
    expect(lines['P#p29']).toEqual([30, 3_000]);
  });

  it("keeps an order's biggest products and folds its tail, whatever their names", () => {
    const small = Array.from({ length: MAX_PRODUCTS_PER_ORDER }, (_, i) => ({ productId: `a${String(i).padStart(2, '0')}`, quantity: 1, unitPrice: 100 }));

    const lines = purchaseLinesOf([...small, { productId: 'zz-bestseller', quantity: 40, unitPrice: 100 }], MAX_PRODUCTS_PER_ORDER);

    expect(lines['P#zz-bestseller']).toEqual([40, 4_000]);
    expect(lines[`P#${OTHER_PRODUCTS}`]).toEqual([1, 100]);
  });

  it('never ranks the folded tail as a product', () => {
    const spots = brightSpotsOf(
      [
        { key: OTHER_PRODUCTS, loyalUnits: 900, loyalRevenue: 9_000, otherUnits: 10, otherRevenue: 100 },
        { key: 'mug', loyalUnits: 10, loyalRevenue: 100, otherUnits: 10, otherRevenue: 100 },
      ],
      5,
    );

    expect(spots.map((s) => s.key)).toEqual(['mug']);
    // The fold still counts in each side's total: mug is 10 of the loyal side's 910 units.
    expect(spots[0]!.loyalUnitShare).toBeCloseTo((10 / 910) * 100, 12);
  });

  it('folds products and categories beyond the per-order limits into one key each, and keeps no replenishment for them', () => {
    const many = Array.from({ length: MAX_PRODUCTS_PER_ORDER + 2 }, (_, i) => ({ productId: `p${String(i).padStart(2, '0')}`, category: `c${String(i).padStart(2, '0')}`, quantity: 1, unitPrice: 100 }));

    const lines = purchaseLinesOf(many, MAX_PRODUCTS_PER_ORDER);

    expect(Object.keys(lines).filter((k) => k.startsWith('P#'))).toHaveLength(MAX_PRODUCTS_PER_ORDER + 1);
    expect(lines[`P#${OTHER_PRODUCTS}`]).toEqual([2, 200]);
    expect(lines[`C#${OTHER_CATEGORIES}`]).toEqual([many.length - MAX_CATEGORIES_PER_ORDER, (many.length - MAX_CATEGORIES_PER_ORDER) * 100]);
    expect(replenishedCategoriesOf(lines)).toHaveLength(MAX_CATEGORIES_PER_ORDER);
  });
});

describe('purchaseDiff', () => {
  const lines = { 'P#a': [2, 200] as [number, number], 'C#x': [2, 200] as [number, number] };

  it.each([
    ['a new order adds its lines', null, { day: '2026-01-01', lines }, [['2026-01-01', 'P#a', 2, 200], ['2026-01-01', 'C#x', 2, 200]]],
    ['a cancellation removes them', { day: '2026-01-01', lines }, null, [['2026-01-01', 'P#a', -2, -200], ['2026-01-01', 'C#x', -2, -200]]],
    ['an unchanged order moves nothing', { day: '2026-01-01', lines }, { day: '2026-01-01', lines }, []],
    ['a moved day moves the lines', { day: '2026-01-01', lines: { 'P#a': [1, 100] } }, { day: '2026-01-02', lines: { 'P#a': [1, 100] } }, [['2026-01-01', 'P#a', -1, -100], ['2026-01-02', 'P#a', 1, 100]]],
  ] as const)('%s', (_name, before, after, expected) => {
    expect(purchaseDiff(before as never, after as never).map((m) => [m.day, m.key, m.units, m.revenue])).toEqual(expected);
  });
});

describe('brightSpotsOf', () => {
  it('ranks what loyal customers buy and compares shares of each side', () => {
    const spots = brightSpotsOf(
      [
        { key: 'a', loyalUnits: 6, loyalRevenue: 600, otherUnits: 2, otherRevenue: 200 },
        { key: 'b', loyalUnits: 2, loyalRevenue: 400, otherUnits: 6, otherRevenue: 600 },
        { key: 'c', loyalUnits: 0, loyalRevenue: 0, otherUnits: 2, otherRevenue: 200 },
      ],
      10,
    );

    expect(spots.map((s) => s.key)).toEqual(['a', 'b']);
    expect(spots[0]).toMatchObject({ loyalUnitShare: 75, otherUnitShare: 20, unitLift: 3.75, loyalRevenueShare: 60, otherRevenueShare: 20, revenueLift: 3 });
    expect(spots[1]).toMatchObject({ loyalUnitShare: 25, otherUnitShare: 60, loyalRevenueShare: 40, otherRevenueShare: 60 });
  });

  it('has no lift when the others bought nothing of it', () => {
    const [spot] = brightSpotsOf([{ key: 'a', loyalUnits: 1, loyalRevenue: 100, otherUnits: 0, otherRevenue: 0 }], 10);

    expect(spot).toMatchObject({ otherUnitShare: null, unitLift: null, revenueLift: null });
  });
});
