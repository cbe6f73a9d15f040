import { describe, expect, it } from 'vitest';
import { InvalidTierConfigError } from '../../../lib/loyalty/loyalty.errors.js';
import {
  evaluateAtWindowEnd,
  evaluateUpgrade,
  previewTierChange,
  progress,
  progressWindow,
  reviewWindow,
  validateTierConfig,
  windowEnd,
  type MemberTier,
} from '../../../lib/loyalty/tiers.js';
import { aTier, aTierConfig } from './loyalty.fixtures.js';

// Berlin is UTC+1 in winter: local midnight of January 1, 2026 is 2025-12-31T23:00:00Z.
const DEC_31_2359_BERLIN = '2025-12-31T22:59:00.000Z';
const JAN_1_0000_BERLIN = '2025-12-31T23:00:00.000Z';

const member = (tierId: string | null, qualifiedAt: string | null = tierId ? '2025-03-01T10:00:00.000Z' : null): MemberTier => ({
  tierId,
  qualifiedAt,
});

describe('evaluateUpgrade', () => {
  it.each([
    [null, 999, null, 'KEPT'],
    [null, 1_000, 'silver', 'UPGRADED'],
    ['silver', 4_999, 'silver', 'KEPT'],
    ['silver', 5_000, 'gold', 'UPGRADED'],
    ['silver', 12_000, 'platinum', 'UPGRADED'],
    ['gold', 1_000, 'gold', 'KEPT'],
  ])('moves a %s member with %i points to %s (%s)', (from, value, to, change) => {
    const at = '2025-06-01T12:00:00.000Z';

    const decision = evaluateUpgrade(aTierConfig(), member(from), value, at);

    expect(decision.change).toBe(change);
    expect(decision.tier.tierId).toBe(to);
    if (change === 'UPGRADED') expect(decision.tier.qualifiedAt).toBe(at);
  });
});

describe('calendar-year windows in the tenant time zone', () => {
  it.each([
    ['Dec 31 23:59', DEC_31_2359_BERLIN, '2024-12-31T23:00:00.000Z', JAN_1_0000_BERLIN],
    ['Jan 1 00:00', JAN_1_0000_BERLIN, JAN_1_0000_BERLIN, '2026-12-31T23:00:00.000Z'],
  ])('an upgrade at %s Berlin counts in the year starting %s and is re-evaluated at %s', (_local, at, yearStart, reevaluation) => {
    const config = aTierConfig();

    const upgraded = evaluateUpgrade(config, member(null), 1_000, at).tier;

    expect(progressWindow(config, at).start).toBe(yearStart);
    expect(windowEnd(config, upgraded)).toBe(reevaluation);
  });

  it.each([
    ['UTC', '2026-01-01T00:00:00.000Z'],
    ['Europe/Berlin', JAN_1_0000_BERLIN],
    ['America/New_York', '2026-01-01T05:00:00.000Z'],
    ['Pacific/Auckland', '2025-12-31T11:00:00.000Z'],
  ])('in %s, a tier reached in 2025 is re-evaluated at local midnight of January 1 (%s)', (timeZone, expected) => {
    expect(windowEnd(aTierConfig({ timeZone }), member('gold'))).toBe(expected);
  });
});

describe('evaluateAtWindowEnd', () => {
  it.each([
    [4_000, 'gold', 'KEPT'],
    [3_999, 'silver', 'DOWNGRADED'],
    [800, 'silver', 'DOWNGRADED'],
    [799, null, 'DOWNGRADED'],
    [10_000, 'platinum', 'UPGRADED'],
  ])('after a year with %i points, a gold member continues as %s (%s)', (value, to, change) => {
    const config = aTierConfig();
    const gold = member('gold');

    const decision = evaluateAtWindowEnd(config, gold, value);

    expect(decision).toEqual({ tier: { tierId: to, qualifiedAt: to === null ? null : JAN_1_0000_BERLIN }, change });
  });

  it('is idempotent: the next window ends a year later and the same value keeps the tier', () => {
    const config = aTierConfig();
    const first = evaluateAtWindowEnd(config, member('gold'), 3_999);

    const second = evaluateAtWindowEnd(config, first.tier, 3_999);

    expect(windowEnd(config, first.tier)).toBe('2026-12-31T23:00:00.000Z');
    expect(second.change).toBe('KEPT');
    expect(second.tier.tierId).toBe('silver');
  });

  it('reviews a rolling window 12 local months after qualification, clamping February 29', () => {
    const config = aTierConfig({ window: 'ROLLING_12_MONTHS', timeZone: 'UTC' });
    const gold = member('gold', '2024-02-29T12:00:00.000Z');

    expect(windowEnd(config, gold)).toBe('2025-02-28T12:00:00.000Z');
    expect(reviewWindow(config, gold)).toEqual({ start: '2024-02-29T12:00:00.000Z', end: '2025-02-28T12:00:00.000Z' });
    expect(evaluateAtWindowEnd(config, gold, 100).tier).toEqual({ tierId: null, qualifiedAt: null });
  });

  it('never re-evaluates LIFETIME tiers', () => {
    const config = aTierConfig({ window: 'LIFETIME' });

    expect(windowEnd(config, member('gold'))).toBeNull();
    expect(evaluateAtWindowEnd(config, member('gold'), 0)).toEqual({ tier: member('gold'), change: 'KEPT' });
  });
});

describe('progress', () => {
  it.each([
    [member(null), 200, { currentTier: null, nextTier: 'silver', amountToNextTier: 800, amountToRetain: null, reevaluatesAt: null }],
    [member('silver'), 3_000, { currentTier: 'silver', nextTier: 'gold', amountToNextTier: 2_000, amountToRetain: 0, reevaluatesAt: JAN_1_0000_BERLIN }],
    [member('gold'), 3_500, { currentTier: 'gold', nextTier: 'platinum', amountToNextTier: 6_500, amountToRetain: 500, reevaluatesAt: JAN_1_0000_BERLIN }],
    [member('platinum'), 12_000, { currentTier: 'platinum', nextTier: null, amountToNextTier: null, amountToRetain: 0, reevaluatesAt: JAN_1_0000_BERLIN }],
  ])('for %o with %i points', (tier, value, expected) => {
    const result = progress(aTierConfig(), tier, { progressValue: value });

    expect({ ...result, currentTier: result.currentTier?.id ?? null, nextTier: result.nextTier?.id ?? null }).toEqual(expected);
  });
});

describe('previewTierChange', () => {
  it('upgrades now and downgrades only at the end of the member window', () => {
    const oldConfig = aTierConfig();
    const newConfig = aTierConfig({
      version: 2,
      tiers: [
        aTier({ id: 'silver', entryThreshold: 500, retainThreshold: 400 }),
        aTier({ id: 'gold', entryThreshold: 6_000, retainThreshold: 5_000 }),
        aTier({ id: 'platinum', entryThreshold: 10_000, retainThreshold: 8_000 }),
      ],
    });
    const members = [
      { memberId: 'newcomer', tier: member(null), progressValue: 600 },
      { memberId: 'silver-steady', tier: member('silver'), progressValue: 4_500 },
      { memberId: 'silver-rising', tier: member('silver'), progressValue: 7_000 },
      { memberId: 'gold-short', tier: member('gold'), progressValue: 4_500 },
      { memberId: 'gold-steady', tier: member('gold'), progressValue: 5_200 },
    ];

    const preview = previewTierChange(members, oldConfig, newConfig);

    expect(preview).toEqual({
      movingUp: [
        { memberId: 'newcomer', kind: 'upgradeNow', from: null, to: 'silver' },
        { memberId: 'silver-rising', kind: 'upgradeNow', from: 'silver', to: 'gold' },
      ],
      movingDown: [
        { memberId: 'gold-short', kind: 'downgradeAtWindowEnd', from: 'gold', to: 'silver', effectiveAt: JAN_1_0000_BERLIN },
      ],
      unchanged: ['silver-steady', 'gold-steady'],
    });
  });

  it('keeps a removed tier until the window end, then requalifies on entry thresholds', () => {
    const oldConfig = aTierConfig();
    const newConfig = aTierConfig({ version: 2, tiers: aTierConfig().tiers.filter((t) => t.id !== 'platinum') });
    const members = [
      { memberId: 'platinum-busy', tier: member('platinum'), progressValue: 12_000 },
      { memberId: 'platinum-quiet', tier: member('platinum'), progressValue: 3_000 },
    ];

    const preview = previewTierChange(members, oldConfig, newConfig);

    expect(preview.movingDown).toEqual([
      { memberId: 'platinum-busy', kind: 'downgradeAtWindowEnd', from: 'platinum', to: 'gold', effectiveAt: JAN_1_0000_BERLIN },
      { memberId: 'platinum-quiet', kind: 'downgradeAtWindowEnd', from: 'platinum', to: 'silver', effectiveAt: JAN_1_0000_BERLIN },
    ]);
    expect(evaluateAtWindowEnd(newConfig, member('platinum'), 3_000).tier.tierId).toBe('silver');
  });
});

describe('validateTierConfig', () => {
  it.each([
    ['duplicate ids', [aTier({ id: 'a', entryThreshold: 1, retainThreshold: 1 }), aTier({ id: 'a', entryThreshold: 2, retainThreshold: 1 })]],
    ['a retain threshold above the entry threshold', [aTier({ id: 'a', entryThreshold: 1, retainThreshold: 2 })]],
    ['entry thresholds that do not rise', [aTier({ id: 'a', entryThreshold: 5, retainThreshold: 1 }), aTier({ id: 'b', entryThreshold: 5, retainThreshold: 2 })]],
    ['retain thresholds that fall', [aTier({ id: 'a', entryThreshold: 5, retainThreshold: 4 }), aTier({ id: 'b', entryThreshold: 9, retainThreshold: 3 })]],
  ])('rejects %s', (_case, tiers) => {
    expect(() => validateTierConfig(aTierConfig({ tiers }))).toThrow(InvalidTierConfigError);
  });

  it('rejects an unknown time zone and accepts the default ladder', () => {
    expect(() => validateTierConfig(aTierConfig({ timeZone: 'Mars/Olympus' }))).toThrow(InvalidTierConfigError);
    expect(() => validateTierConfig(aTierConfig())).not.toThrow();
  });
});
