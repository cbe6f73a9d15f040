import { describe, expect, it } from 'vitest';
import { assignGroup } from '../../../lib/flows/holdout.js';
import { flowReportFigures, type GroupCounters } from '../../../lib/flows/report.js';

describe('assignGroup', () => {
  it('gives a customer the same group on every call and holds back about the share asked for', () => {
    const groups = Array.from({ length: 10_000 }, (_, i) => assignGroup('salt-1', 'flow-1', `cus-${i}`, 0.1));
    const again = Array.from({ length: 10_000 }, (_, i) => assignGroup('salt-1', 'flow-1', `cus-${i}`, 0.1));

    expect(again).toEqual(groups);
    const held = groups.filter((group) => group === 'HOLDOUT').length;
    // Binomial(10 000, 0.1): sd 30, so ±150 is five standard deviations.
    expect(Math.abs(held - 1_000)).toBeLessThan(150);
  });

  it('draws independently per salt and per flow', () => {
    const a = Array.from({ length: 2_000 }, (_, i) => assignGroup('salt-1', 'flow-1', `cus-${i}`, 0.5));
    const b = Array.from({ length: 2_000 }, (_, i) => assignGroup('salt-2', 'flow-1', `cus-${i}`, 0.5));
    const c = Array.from({ length: 2_000 }, (_, i) => assignGroup('salt-1', 'flow-2', `cus-${i}`, 0.5));

    const agree = (x: string[], y: string[]) => x.filter((group, i) => group === y[i]).length / x.length;
    expect(agree(a, b)).toBeGreaterThan(0.45);
    expect(agree(a, b)).toBeLessThan(0.55);
    expect(agree(a, c)).toBeGreaterThan(0.45);
    expect(agree(a, c)).toBeLessThan(0.55);
  });

  it.each([0, 0.5])('never holds back with share 0 and holds back about half with 0.5 (share %s)', (share) => {
    const held = Array.from({ length: 4_000 }, (_, i) => assignGroup('s', 'f', `c${i}`, share)).filter((g) => g === 'HOLDOUT').length;
    if (share === 0) expect(held).toBe(0);
    else expect(Math.abs(held - 2_000)).toBeLessThan(160);
  });
});

const group = (overrides: Partial<GroupCounters>): GroupCounters => ({ entered: 0, pending: 0, converted: 0, orders: 0, revenue: 0, revenueSquares: 0, rewardCost: 0, ...overrides });

describe('flowReportFigures', () => {
  it('compares decided entries only and reproduces Newcombe example (a) when nothing is pending', () => {
    const figures = flowReportFigures(group({ entered: 75, pending: 5, converted: 56 }), group({ entered: 80, converted: 48 }));

    expect(figures.treatment.decided).toBe(70);
    expect(figures.treatment.conversionRate).toBeCloseTo(0.8, 10);
    expect(figures.absoluteLift!.value).toBeCloseTo(0.2, 10);
    expect(figures.absoluteLift!.lower).toBeCloseTo(0.0524, 4);
    expect(figures.absoluteLift!.upper).toBeCloseTo(0.3339, 4);
    expect(figures.relativeLift).toBeCloseTo(0.2 / 0.6, 10);
    expect(figures.significant).toBe(true);
  });

  it('states the revenue lift per customer, in total and against the reward cost', () => {
    // Treatment: 4 entries with 0, 1000, 1000, 2000 (Σ 4000, Σ² 6e6); holdout: 2 entries with 0, 1000.
    const figures = flowReportFigures(
      group({ entered: 4, converted: 3, orders: 3, revenue: 4_000, revenueSquares: 6_000_000, rewardCost: 500 }),
      group({ entered: 2, converted: 1, orders: 1, revenue: 1_000, revenueSquares: 1_000_000 }),
    );

    expect(figures.incrementalRevenuePerCustomer!.value).toBe(500);
    expect(figures.incrementalRevenue).toBe(2_000);
    expect(figures.returnOnRewards).toBe(4);
    expect(figures.treatment.ordersPerEntered).toBe(0.75);
    expect(figures.incrementalRevenuePerCustomer!.lower).toBeLessThan(500);
  });

  it('is not yet significant with small groups and says how many entries a conclusion needs', () => {
    const figures = flowReportFigures(group({ entered: 90, converted: 12 }), group({ entered: 10, converted: 1 }));

    expect(figures.significant).toBe(false);
    expect(figures.requiredPerGroup!.treatment).toBeGreaterThan(90);
    expect(figures.requiredPerGroup!.holdout).toBeGreaterThan(10);
  });

  it('has no lift without decided entries in both groups', () => {
    const figures = flowReportFigures(group({ entered: 5, pending: 5 }), group({ entered: 1 }));
    expect(figures.absoluteLift).toBeNull();
    expect(figures.pValue).toBeNull();
    expect(figures.treatment.conversionRate).toBeNull();
  });
});
