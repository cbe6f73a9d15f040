import type { EarnProgram, OrderAmounts } from '../../../lib/loyalty/earn.js';
import { emptyLedgerState, type LedgerEntry, type LedgerResult, type LedgerState } from '../../../lib/loyalty/ledger.js';
import type { Tier, TierConfig } from '../../../lib/loyalty/tiers.js';
import { DAY_MS } from '../../../lib/loyalty/time.js';

export const T0 = '2025-01-01T00:00:00.000Z';

/** The instant `days` (and `hours`) after T0. */
export function day(days: number, hours = 0): string {
  return new Date(Date.parse(T0) + days * DAY_MS + hours * 3_600_000).toISOString();
}

/** Runs ledger operations in order, threading the state and collecting every entry. */
export class LedgerRun {
  state: LedgerState = emptyLedgerState();
  entries: LedgerEntry[] = [];

  apply(operation: (state: LedgerState) => LedgerResult): LedgerEntry[] {
    const result = operation(this.state);
    this.state = result.state;
    this.entries.push(...result.entries);
    return result.entries;
  }
}

export function anEarnProgram(overrides: Partial<EarnProgram> = {}): EarnProgram {
  return { pointsPerUnit: 1, rounding: 'FLOOR', includeShipping: false, includeTax: false, actions: [], ...overrides };
}

export function anOrder(overrides: Partial<OrderAmounts> = {}): OrderAmounts {
  return { currencyCode: 'EUR', subtotal: 10_000, discount: 0, shipping: 0, tax: 0, ...overrides };
}

export function aTier(overrides: Partial<Tier> & Pick<Tier, 'id' | 'entryThreshold' | 'retainThreshold'>): Tier {
  return { name: overrides.id, multiplier: 1, freeShipping: false, perks: [], ...overrides };
}

/** Silver 1000/800, Gold 5000/4000, Platinum 10000/8000 points earned per calendar year in Berlin. */
export function aTierConfig(overrides: Partial<TierConfig> = {}): TierConfig {
  return {
    version: 1,
    metric: 'POINTS_EARNED',
    window: 'CALENDAR_YEAR',
    timeZone: 'Europe/Berlin',
    tiers: [
      aTier({ id: 'silver', entryThreshold: 1_000, retainThreshold: 800 }),
      aTier({ id: 'gold', entryThreshold: 5_000, retainThreshold: 4_000, multiplier: 1.5 }),
      aTier({ id: 'platinum', entryThreshold: 10_000, retainThreshold: 8_000, multiplier: 2, freeShipping: true }),
    ],
    ...overrides,
  };
}
