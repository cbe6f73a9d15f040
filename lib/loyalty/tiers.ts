/**
 * Tier rules: which tier a member holds, when it is re-evaluated, what moves on a config change.
 *
 * A member holds a tier from `qualifiedAt` (the upgrade, or the last window end that kept or
 * lowered it). Upgrades happen as soon as the value in the progress window reaches an entry
 * threshold. Downgrades happen only at a window end, when the value in the window that just ended
 * is below the tier's retain threshold:
 * - LIFETIME: no window end, a tier is kept for good.
 * - CALENDAR_YEAR: the window ends at the first local midnight of January 1 after `qualifiedAt`,
 *   so a tier reached during a year is held at least until the end of the next one.
 * - ROLLING_12_MONTHS: the window ends 12 local calendar months after `qualifiedAt`.
 * The scheduled job asks `windowEnd` and evaluates once per ended window; because the decision
 * moves `qualifiedAt` to that window end, running it again finds nothing due.
 */
import { InvalidTierConfigError } from './loyalty.errors.js';
import { addZonedMonths, normalizeInstant, startOfNextZonedYear, startOfZonedYear, toInstant, toMs } from './time.js';

export type TierMetric = 'POINTS_EARNED' | 'AMOUNT_SPENT';

export type QualificationWindow = 'LIFETIME' | 'CALENDAR_YEAR' | 'ROLLING_12_MONTHS';

export interface Tier {
  id: string;
  name: string;
  /** Reaching this value in the progress window grants the tier. */
  entryThreshold: number;
  /** Ending a window below this value loses the tier; at most `entryThreshold`. */
  retainThreshold: number;
  /** Earn multiplier (1.25 = 25 % more points), read as the decimal it is written as. */
  multiplier: number;
  freeShipping: boolean;
  perks: string[];
}

export interface TierConfig {
  version: number;
  /** One metric for the whole ladder, so a member's progress is one number. */
  metric: TierMetric;
  window: QualificationWindow;
  /** The tenant's IANA time zone: calendar years and months are local to it. */
  timeZone: string;
  /** Lowest first: entry thresholds strictly increasing, retain thresholds non-decreasing. */
  tiers: Tier[];
}

export interface MemberTier {
  /** Null before the member reaches the first tier. */
  tierId: string | null;
  /** When the tier was reached or last kept at a window end; null with no tier. */
  qualifiedAt: string | null;
}

export type TierChange = 'UPGRADED' | 'KEPT' | 'DOWNGRADED';

export interface TierDecision {
  tier: MemberTier;
  change: TierChange;
}

export interface TimeWindow {
  /** Inclusive; null for LIFETIME (since the beginning). */
  start: string | null;
  /** Exclusive. */
  end: string;
}

export interface TierProgress {
  currentTier: Tier | null;
  nextTier: Tier | null;
  /** Null at the top tier. */
  amountToNextTier: number | null;
  /** Null when the current tier cannot be lost (no tier, LIFETIME, retain threshold 0). */
  amountToRetain: number | null;
  /** The window end at which the tier is re-evaluated; null when it cannot be lost. */
  reevaluatesAt: string | null;
}

/** Given a tier configuration, throws InvalidTierConfigError unless it can be evaluated. */
export function validateTierConfig(config: TierConfig): void {
  const ids = new Set<string>();
  config.tiers.forEach((tier, index) => {
    if (ids.has(tier.id)) throw new InvalidTierConfigError(`duplicate tier id ${tier.id}`);
    ids.add(tier.id);
    if (!(tier.retainThreshold >= 0 && tier.retainThreshold <= tier.entryThreshold)) {
      throw new InvalidTierConfigError(`tier ${tier.id}: retain threshold must be between 0 and its entry threshold`);
    }
    if (!(Number.isFinite(tier.multiplier) && tier.multiplier > 0)) {
      throw new InvalidTierConfigError(`tier ${tier.id}: multiplier must be positive`);
    }
    const below = config.tiers[index - 1];
    if (below && !(tier.entryThreshold > below.entryThreshold && tier.retainThreshold >= below.retainThreshold)) {
      throw new InvalidTierConfigError(`tier ${tier.id}: thresholds must rise from ${below.id}`);
    }
  });
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: config.timeZone });
  } catch {
    throw new InvalidTierConfigError(`unknown time zone ${config.timeZone}`);
  }
}

/** Given a config and a value, returns the highest tier whose entry threshold the value reaches. */
export function qualifyingTier(config: TierConfig, value: number): Tier | null {
  return config.tiers[entryIndex(config, value)] ?? null;
}

/**
 * Given a config and an instant, returns the window whose value decides upgrades at that instant:
 * everything so far (LIFETIME), the local calendar year so far, or the last 12 local months.
 */
export function progressWindow(config: TierConfig, at: string): TimeWindow {
  const now = normalizeInstant(at);
  const end = toInstant(toMs(now) + 1);
  switch (config.window) {
    case 'LIFETIME':
      return { start: null, end };
    case 'CALENDAR_YEAR':
      return { start: startOfZonedYear(now, config.timeZone), end };
    case 'ROLLING_12_MONTHS':
      return { start: addZonedMonths(now, -12, config.timeZone), end };
  }
}

/**
 * Given a config and a member's tier, returns the instant at which the tier is re-evaluated, or
 * null when it never is (no tier, LIFETIME).
 */
export function windowEnd(config: TierConfig, member: MemberTier): string | null {
  if (member.tierId === null || member.qualifiedAt === null) return null;
  switch (config.window) {
    case 'LIFETIME':
      return null;
    case 'CALENDAR_YEAR':
      return startOfNextZonedYear(member.qualifiedAt, config.timeZone);
    case 'ROLLING_12_MONTHS':
      return addZonedMonths(member.qualifiedAt, 12, config.timeZone);
  }
}

/**
 * Given a config and a member's tier, returns the window whose value decides, at its end, whether
 * the tier is kept: the calendar year that ends, or the 12 months since `qualifiedAt`; null when
 * the tier is never re-evaluated.
 */
export function reviewWindow(config: TierConfig, member: MemberTier): TimeWindow | null {
  const end = windowEnd(config, member);
  if (end === null || member.qualifiedAt === null) return null;
  const start =
    config.window === 'CALENDAR_YEAR' ? startOfZonedYear(toInstant(toMs(end) - 1), config.timeZone) : member.qualifiedAt;
  return { start, end };
}

/**
 * Given a config, a member's tier, the value in the progress window and the current instant,
 * returns the member upgraded to the highest tier whose entry threshold is reached, if that is
 * above the current one. Never downgrades.
 */
export function evaluateUpgrade(config: TierConfig, current: MemberTier, progressValue: number, at: string): TierDecision {
  const target = entryIndex(config, progressValue);
  const currentIndex = tierIndex(config, current.tierId);
  // A tier missing from the config (removed by a change) has no rank here; `tierChangeFor` handles it.
  if (target < 0 || (current.tierId !== null && currentIndex < 0) || target <= currentIndex) {
    return { tier: current, change: 'KEPT' };
  }
  return { tier: { tierId: config.tiers[target]!.id, qualifiedAt: normalizeInstant(at) }, change: 'UPGRADED' };
}

/**
 * Given a config, a member's tier whose window has ended, and the value in that ended window,
 * returns the tier for the next window, qualified from the window end: kept when the retain
 * threshold is met (or raised, when a higher entry threshold is), otherwise lowered to the highest
 * tier whose retain threshold is met. A member whose tier is no longer configured requalifies on
 * entry thresholds. Members without a tier, and LIFETIME windows, are returned unchanged.
 */
export function evaluateAtWindowEnd(config: TierConfig, current: MemberTier, valueInEndedWindow: number): TierDecision {
  const end = windowEnd(config, current);
  if (end === null) return { tier: current, change: 'KEPT' };
  const currentIndex = tierIndex(config, current.tierId);
  const entry = entryIndex(config, valueInEndedWindow);

  let target: number;
  if (currentIndex < 0) target = entry;
  else if (valueInEndedWindow >= config.tiers[currentIndex]!.retainThreshold) target = Math.max(currentIndex, entry);
  else target = retainIndex(config, valueInEndedWindow);

  const tierId = config.tiers[target]?.id ?? null;
  // Losing a tier that no longer exists counts as a downgrade, whatever replaces it.
  const change: TierChange =
    tierId === current.tierId ? 'KEPT' : currentIndex >= 0 && target > currentIndex ? 'UPGRADED' : 'DOWNGRADED';
  return { tier: { tierId, qualifiedAt: tierId === null ? null : end }, change };
}

/**
 * Given a config, a member's tier and the member's values (in the progress window, and so far in
 * the review window, which defaults to the progress value), returns the member's tier progress.
 */
export function progress(
  config: TierConfig,
  member: MemberTier,
  values: { progressValue: number; retainValue?: number },
): TierProgress {
  const index = tierIndex(config, member.tierId);
  const currentTier = config.tiers[index] ?? null;
  const nextTier = config.tiers[index + 1] ?? null;
  const end = windowEnd(config, member);
  const losable = currentTier !== null && end !== null && currentTier.retainThreshold > 0;
  const retainValue = values.retainValue ?? values.progressValue;
  return {
    currentTier,
    nextTier,
    amountToNextTier: nextTier ? Math.max(0, nextTier.entryThreshold - values.progressValue) : null,
    amountToRetain: losable ? Math.max(0, currentTier.retainThreshold - retainValue) : null,
    reevaluatesAt: losable ? end : null,
  };
}

export interface TierMember {
  memberId: string;
  tier: MemberTier;
  /** Value in the progress window under the new config. */
  progressValue: number;
  /** Value so far in the member's review window; defaults to the progress value. */
  retainValue?: number;
}

export type TierMove =
  | { memberId: string; kind: 'upgradeNow'; from: string | null; to: string }
  | { memberId: string; kind: 'downgradeAtWindowEnd'; from: string; to: string | null; effectiveAt: string };

export interface TierChangePreview {
  movingUp: Extract<TierMove, { kind: 'upgradeNow' }>[];
  movingDown: Extract<TierMove, { kind: 'downgradeAtWindowEnd' }>[];
  unchanged: string[];
}

/**
 * Given a member, the config they hold their tier under and a new config, returns what applying
 * the new config does to them: an upgrade now, a downgrade at the end of their window (never
 * sooner), or nothing (null). A tier removed by the new config is held until the window end, then
 * replaced by the tier the entry thresholds give; it counts as upgraded now only when a new tier
 * above its old entry threshold is already reached.
 */
export function tierChangeFor(member: TierMember, oldConfig: TierConfig, newConfig: TierConfig): TierMove | null {
  const { memberId, tier } = member;
  const entry = entryIndex(newConfig, member.progressValue);
  const retainValue = member.retainValue ?? member.progressValue;
  const index = tierIndex(newConfig, tier.tierId);
  const removed = tier.tierId !== null && index < 0;

  // Where a removed tier would sit among the new tiers, judged by its old entry threshold.
  const oldTier = removed ? oldConfig.tiers[tierIndex(oldConfig, tier.tierId)] : undefined;
  const rank = removed ? (oldTier ? entryIndex(newConfig, oldTier.entryThreshold) : -1) : index;

  if (entry > rank) return { memberId, kind: 'upgradeNow', from: tier.tierId, to: newConfig.tiers[entry]!.id };
  if (tier.tierId === null) return null;

  const end = laterOf(windowEnd(oldConfig, tier), windowEnd(newConfig, tier));
  if (end === null) return null;
  if (removed) return { memberId, kind: 'downgradeAtWindowEnd', from: tier.tierId, to: newConfig.tiers[entry]?.id ?? null, effectiveAt: end };
  if (windowEnd(newConfig, tier) === null || retainValue >= newConfig.tiers[index]!.retainThreshold) return null;
  return {
    memberId,
    kind: 'downgradeAtWindowEnd',
    from: tier.tierId,
    to: newConfig.tiers[retainIndex(newConfig, retainValue)]?.id ?? null,
    effectiveAt: end,
  };
}

/**
 * Given members, the current config and a proposed one, returns who would move up now, who would
 * move down at the end of their window, and who stays, without changing anything.
 */
export function previewTierChange(
  members: readonly TierMember[],
  oldConfig: TierConfig,
  newConfig: TierConfig,
): TierChangePreview {
  validateTierConfig(newConfig);
  const preview: TierChangePreview = { movingUp: [], movingDown: [], unchanged: [] };
  for (const member of members) {
    const move = tierChangeFor(member, oldConfig, newConfig);
    if (move === null) preview.unchanged.push(member.memberId);
    else if (move.kind === 'upgradeNow') preview.movingUp.push(move);
    else preview.movingDown.push(move);
  }
  return preview;
}

function tierIndex(config: TierConfig, tierId: string | null): number {
  return tierId === null ? -1 : config.tiers.findIndex((tier) => tier.id === tierId);
}

/** Highest index whose entry threshold `value` reaches; -1 for none. */
function entryIndex(config: TierConfig, value: number): number {
  return config.tiers.findLastIndex((tier) => value >= tier.entryThreshold);
}

/** Highest index whose retain threshold `value` reaches; -1 for none. */
function retainIndex(config: TierConfig, value: number): number {
  return config.tiers.findLastIndex((tier) => value >= tier.retainThreshold);
}

function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
