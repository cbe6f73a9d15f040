/**
 * The points ledger: pure, I/O-free rules that decide how an account changes. Each operation takes
 * the account state and returns the next state plus the immutable ledger entries that explain the
 * change; the service persists both in one conditional transaction and decides nothing itself.
 *
 * Model:
 * - Every credit opens a lot (one per source, `lotId = TYPE#id`, so a replayed earn is a no-op)
 *   with its own availability (pending period) and expiry. Debits draw from the lots that expire
 *   soonest (lots that never expire last, ties oldest first), and each entry names the lots it
 *   touched.
 * - Points owed that no lot could cover are debt: `shortfall` when negative balances are not
 *   allowed (the member sees 0, the ledger records what is owed), `overdrawn` when they are (the
 *   member sees a negative balance). New lots repay debt first. A debt is only ever recorded once
 *   every live lot, pending ones included, is empty, so debt and spendable points never coexist.
 * - A lot whose `expiresAt` has passed is dead even before `expire` sweeps it: it is neither
 *   counted nor drawn from. Expiry for INACTIVITY depends on the program's policy, so the service
 *   runs `expire` before `redeem` in the same transaction when the program uses it.
 * - The state stays bounded: `pruneLots` drops empty lots once they can no longer be clawed back;
 *   the ledger keeps their history, and `balanceFromLedger` never needs the state.
 */
import { InsufficientPointsError, RefundMismatchError, SourceNotEarnedError } from './loyalty.errors.js';
import { DAY_MS, addDays, normalizeInstant, toMs, zonedDate } from './time.js';

/** What can credit points: an order, an action bonus, an admin adjustment, a referral reward. */
export type LotSourceType = 'ORDER' | 'ACTION' | 'ADJUST' | 'REFERRAL';

export interface LotSource {
  type: LotSourceType;
  /** The order id, the action's idempotency key, the adjustment id, the referral id. */
  id: string;
}

/** What a ledger entry refers to: any lot source, or the reward a redemption paid for. */
export type EntrySourceType = LotSourceType | 'REWARD';

export interface EntrySource {
  type: EntrySourceType;
  id: string;
}

export type ExpiryPolicy =
  | { type: 'NEVER' }
  /** Each lot expires `days` 24-hour days after it was earned. */
  | { type: 'AFTER_DAYS'; days: number }
  /** Every point expires once `days` days pass without earning or spending. */
  | { type: 'INACTIVITY'; days: number };

export interface Lot {
  /** `${source.type}#${source.id}`: one lot per source. */
  lotId: string;
  source: LotSource;
  earnedAt: string;
  /** Pending until this instant (the return window), available from it. */
  availableAt: string;
  /** Null when the lot itself never expires (NEVER, INACTIVITY). */
  expiresAt: string | null;
  /** Points credited when the lot was opened. */
  points: number;
  /** Points still in the lot: 0 <= remaining <= points. */
  remaining: number;
  /** Points clawed back for this source so far, including any part recorded as debt. */
  reversed: number;
  /** Sum of the refunded eligible amounts (minor units) behind proportional clawbacks. */
  refundedAmount: number;
  /** The order's eligible amount (minor units), when known; refunds are proportional to it. */
  eligibleAmount: number | null;
}

export interface LedgerState {
  lots: Lot[];
  /** Points owed after a clawback could not be covered while negative balances are not allowed. */
  shortfall: number;
  /** Points owed while negative balances are allowed: shown as a negative available balance. */
  overdrawn: number;
  /** Points earned (EARN) net of clawbacks (REVERSE); admin adjustments are not earnings. */
  lifetimeEarned: number;
  lifetimeSpent: number;
  /** Last earn, positive adjustment or redemption: what INACTIVITY expiry measures from. */
  lastActivityAt: string | null;
}

export type LedgerEntryType = 'EARN' | 'REDEEM' | 'EXPIRE' | 'REVERSE' | 'ADJUST';

export interface LotChange {
  lotId: string;
  /** Signed change to the lot's remaining points. */
  points: number;
}

export interface NewLot {
  lotId: string;
  availableAt: string;
  expiresAt: string | null;
}

export interface LedgerEntry {
  type: LedgerEntryType;
  /**
   * Signed change to the member's balance (available + pending, a negative balance included).
   * Always `sum(lots[].points) - overdrawn`.
   */
  points: number;
  reason: string;
  source: EntrySource;
  lots: LotChange[];
  at: string;
  /** Signed change to the recorded shortfall. */
  shortfall: number;
  /** Signed change to the overdrawn (negative balance) amount. */
  overdrawn: number;
  /** Present on the entry that opened a lot: what the ledger needs to tell pending from available. */
  newLot?: NewLot;
}

export interface LedgerResult {
  state: LedgerState;
  /** In the order they happened; empty when the operation changed no balance. */
  entries: LedgerEntry[];
}

export interface Balance {
  /** Spendable now; negative only when overdrawn. */
  available: number;
  pending: number;
  lifetimeEarned: number;
  lifetimeSpent: number;
  shortfall: number;
}

/** Reasons the rules write themselves; callers give their own for earns, redemptions, adjustments. */
export const LedgerReason = {
  SHORTFALL_REPAID: 'SHORTFALL_REPAID',
  LOT_EXPIRED: 'LOT_EXPIRED',
  INACTIVITY: 'INACTIVITY',
  REFUND: 'REFUND',
} as const;

/** Returns the state of an account that has never earned. */
export function emptyLedgerState(): LedgerState {
  return { lots: [], shortfall: 0, overdrawn: 0, lifetimeEarned: 0, lifetimeSpent: 0, lastActivityAt: null };
}

/** Given a source, returns the id of the lot it opens. */
export function lotIdFor(source: LotSource): string {
  return `${source.type}#${source.id}`;
}

/** Given a state and a source, returns the lot that source opened, if the state still holds it. */
export function findLot(state: LedgerState, source: LotSource): Lot | undefined {
  const lotId = lotIdFor(source);
  return state.lots.find((lot) => lot.lotId === lotId);
}

/** Orders lots for drawing: earliest expiry first, lots that never expire last, then oldest. */
export function drawOrder(a: Lot, b: Lot): number {
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    return a.expiresAt < b.expiresAt ? -1 : 1;
  }
  if (a.earnedAt !== b.earnedAt) return a.earnedAt < b.earnedAt ? -1 : 1;
  return a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0;
}

export interface EarnInput {
  points: number;
  source: LotSource;
  at: string;
  /** Days the points stay pending (the return window); 0 makes them available at once. */
  pendingDays: number;
  expiry: ExpiryPolicy;
  /** Defaults to the source type. */
  reason?: string;
  /** For orders: the eligible amount (minor units) that earned the points; refunds must match it. */
  eligibleAmount?: number;
}

/**
 * Given a state and an earn, returns the state with a new lot and its EARN entry. The new points
 * repay debt first: an overdraft inside the EARN entry (the member saw it), a shortfall as a
 * separate REVERSE entry (SHORTFALL_REPAID). A source that already has a lot earns nothing.
 */
export function earn(state: LedgerState, input: EarnInput): LedgerResult {
  assertPositivePoints(input.points, 'points');
  assertWholeDays(input.pendingDays, 'pendingDays', 0);
  assertExpiryPolicy(input.expiry);
  if (input.eligibleAmount !== undefined) assertPositiveAmount(input.eligibleAmount, 'eligibleAmount');
  return openLot(state, {
    type: 'EARN',
    points: input.points,
    source: input.source,
    at: normalizeInstant(input.at),
    pendingDays: input.pendingDays,
    expiry: input.expiry,
    reason: input.reason ?? input.source.type,
    eligibleAmount: input.eligibleAmount ?? null,
  });
}

export interface RedeemInput {
  points: number;
  at: string;
  /** What the points paid for, usually `{ type: 'REWARD', id: redemptionId }`. */
  source: EntrySource;
  /** Defaults to the source type. */
  reason?: string;
}

/**
 * Given a state and a redemption, returns the state with the points drawn from available lots,
 * earliest expiry first, and one REDEEM entry. Throws InsufficientPointsError when the available
 * balance does not cover it; pending points are never spendable.
 */
export function redeem(state: LedgerState, input: RedeemInput): LedgerResult {
  assertPositivePoints(input.points, 'points');
  const at = normalizeInstant(input.at);
  const next = cloneState(state);
  const available = liveLots(next, at, 'AVAILABLE');
  const availableBalance = sumRemaining(available) - next.overdrawn;
  if (input.points > availableBalance) throw new InsufficientPointsError(availableBalance, input.points);

  const { changes } = drawFrom(available, input.points);
  next.lifetimeSpent += input.points;
  next.lastActivityAt = latest(next.lastActivityAt, at);
  return {
    state: next,
    entries: [
      {
        type: 'REDEEM',
        points: -input.points,
        reason: input.reason ?? input.source.type,
        source: input.source,
        lots: changes,
        at,
        shortfall: 0,
        overdrawn: 0,
      },
    ],
  };
}

interface ReverseCommon {
  /** The source whose points are taken back (an order; a referral reward may be reversed too). */
  source: LotSource;
  at: string;
  /** When false, what no lot covers becomes shortfall; when true, a negative balance. */
  allowNegative: boolean;
  /** Defaults to REFUND. */
  reason?: string;
}

export type ReverseInput = ReverseCommon &
  (
    | {
        /**
         * The refunded part of the order's eligible amount (minor units). Clawbacks are cumulative:
         * after refunds totalling `r`, `floor(earned * r / eligibleAmount)` points have been taken
         * back, so partial refunds that add up to the whole take back exactly what was earned.
         */
        refund: { amount: number; eligibleAmount: number };
      }
    | {
        /** An explicit number of points, capped at what the source earned and has not given back. */
        points: number;
      }
  );

/**
 * Given a state and a refund or cancellation, returns the state with the source's points taken
 * back and one REVERSE entry: from the source's own lot while pending, then available lots
 * (earliest expiry first), then other pending lots; what none covers becomes shortfall, or a
 * negative balance when allowed. Throws SourceNotEarnedError when the source has no lot and
 * RefundMismatchError when refunds of one order disagree on its eligible amount.
 */
export function reverse(state: LedgerState, input: ReverseInput): LedgerResult {
  const at = normalizeInstant(input.at);
  const next = cloneState(state);
  const lot = findLot(next, input.source);
  if (!lot) throw new SourceNotEarnedError(input.source.type, input.source.id);

  let target: number;
  if ('refund' in input) {
    const { amount, eligibleAmount } = input.refund;
    assertPositiveAmount(amount, 'refund.amount');
    assertPositiveAmount(eligibleAmount, 'refund.eligibleAmount');
    if (lot.eligibleAmount !== null && lot.eligibleAmount !== eligibleAmount) {
      throw new RefundMismatchError(input.source.id, lot.eligibleAmount, eligibleAmount);
    }
    lot.eligibleAmount = eligibleAmount;
    // Refunds beyond the eligible amount (shipping, tax not earning points) take nothing more.
    lot.refundedAmount = Math.min(eligibleAmount, lot.refundedAmount + amount);
    target = proportionalFloor(lot.points, lot.refundedAmount, eligibleAmount);
  } else {
    assertPositivePoints(input.points, 'points');
    target = lot.reversed + input.points;
  }
  const clawback = Math.min(lot.points, target) - lot.reversed;
  if (clawback <= 0) return { state: next, entries: [] };

  const pending = liveLots(next, at, 'PENDING');
  const ownPending = pending.filter((l) => l === lot);
  const otherPending = pending.filter((l) => l !== lot);
  const { changes, taken } = drawFrom([...ownPending, ...liveLots(next, at, 'AVAILABLE'), ...otherPending], clawback);
  const uncovered = clawback - taken;
  const shortfall = input.allowNegative ? 0 : uncovered;
  const overdrawn = input.allowNegative ? uncovered : 0;

  lot.reversed += clawback;
  next.shortfall += shortfall;
  next.overdrawn += overdrawn;
  next.lifetimeEarned -= clawback;
  return {
    state: next,
    entries: [
      {
        type: 'REVERSE',
        points: negate(taken + overdrawn),
        reason: input.reason ?? LedgerReason.REFUND,
        source: lot.source,
        lots: changes,
        at,
        shortfall,
        overdrawn,
      },
    ],
  };
}

export interface AdjustInput {
  /** Signed, never 0. */
  points: number;
  reason: string;
  at: string;
  /** The adjustment's id (idempotency key): a credit opens lot `ADJUST#id`. */
  id: string;
  /** When false, a deduction beyond the balance throws; when true, it leaves a negative balance. */
  allowNegative: boolean;
  /** Expiry of the lot a credit opens. */
  expiry: ExpiryPolicy;
}

/**
 * Given a state and an admin adjustment, returns the state and one ADJUST entry. A credit opens an
 * available lot (repaying debt first, like an earn; replaying its id is a no-op). A deduction draws
 * from available, then pending lots; beyond them it throws InsufficientPointsError unless negative
 * balances are allowed.
 */
export function adjust(state: LedgerState, input: AdjustInput): LedgerResult {
  if (!Number.isSafeInteger(input.points) || input.points === 0) {
    throw new RangeError(`points must be a non-zero integer, got ${input.points}`);
  }
  const at = normalizeInstant(input.at);
  const source: LotSource = { type: 'ADJUST', id: input.id };
  if (input.points > 0) {
    assertExpiryPolicy(input.expiry);
    return openLot(state, {
      type: 'ADJUST',
      points: input.points,
      source,
      at,
      pendingDays: 0,
      expiry: input.expiry,
      reason: input.reason,
      eligibleAmount: null,
    });
  }

  const wanted = -input.points;
  const next = cloneState(state);
  const lots = [...liveLots(next, at, 'AVAILABLE'), ...liveLots(next, at, 'PENDING')];
  const drawable = sumRemaining(lots);
  if (wanted > drawable && !input.allowNegative) {
    throw new InsufficientPointsError(drawable - next.overdrawn, wanted);
  }
  const { changes, taken } = drawFrom(lots, wanted);
  const overdrawn = wanted - taken;
  next.overdrawn += overdrawn;
  return {
    state: next,
    entries: [
      { type: 'ADJUST', points: input.points, reason: input.reason, source, lots: changes, at, shortfall: 0, overdrawn },
    ],
  };
}

export interface ExpireInput {
  at: string;
  policy: ExpiryPolicy;
}

/**
 * Given a state, an instant and the program's expiry policy, returns the state with every lot
 * whose `expiresAt <= at` emptied and, under INACTIVITY, every remaining point once `days` have
 * passed since the last activity; one EXPIRE entry per lot. Idempotent: a second run at the same
 * instant finds nothing to expire and returns the same state and no entries.
 */
export function expire(state: LedgerState, input: ExpireInput): LedgerResult {
  assertExpiryPolicy(input.policy);
  const at = normalizeInstant(input.at);
  const inactive =
    input.policy.type === 'INACTIVITY' &&
    state.lastActivityAt !== null &&
    toMs(at) - toMs(state.lastActivityAt) >= input.policy.days * DAY_MS;

  const next = cloneState(state);
  const entries: LedgerEntry[] = [];
  for (const lot of [...next.lots].sort(drawOrder)) {
    if (lot.remaining === 0) continue;
    const due = lot.expiresAt !== null && lot.expiresAt <= at;
    if (!due && !inactive) continue;
    entries.push({
      type: 'EXPIRE',
      points: -lot.remaining,
      reason: due ? LedgerReason.LOT_EXPIRED : LedgerReason.INACTIVITY,
      source: lot.source,
      lots: [{ lotId: lot.lotId, points: -lot.remaining }],
      at,
      shortfall: 0,
      overdrawn: 0,
    });
    lot.remaining = 0;
  }
  return { state: entries.length > 0 ? next : state, entries };
}

export interface PruneInput {
  at: string;
  /**
   * How long after it was earned a lot may still be clawed back (the longest refund or chargeback
   * window). An empty lot is kept that long unless already fully reversed, so `reverse` finds it.
   */
  reversibleForDays: number;
}

/**
 * Given a state, returns it without the lots that no longer matter: empty, and either fully
 * reversed or older than the reversible window. Balances are unchanged, so no entry is written.
 */
export function pruneLots(state: LedgerState, input: PruneInput): LedgerState {
  assertWholeDays(input.reversibleForDays, 'reversibleForDays', 0);
  const at = normalizeInstant(input.at);
  const lots = state.lots.filter(
    (lot) => lot.remaining > 0 || (lot.reversed < lot.points && at < addDays(lot.earnedAt, input.reversibleForDays)),
  );
  return lots.length === state.lots.length ? state : { ...state, lots };
}

/** Given a state and an instant, returns the balance: pending until `availableAt`, dead from `expiresAt`. */
export function balance(state: LedgerState, at: string): Balance {
  const { available, pending } = sumLotBalances(state.lots, normalizeInstant(at));
  return {
    available: available - state.overdrawn,
    pending,
    lifetimeEarned: state.lifetimeEarned,
    lifetimeSpent: state.lifetimeSpent,
    shortfall: state.shortfall,
  };
}

/**
 * Given an account's whole ledger (any order) and an instant, returns the balance from the entries
 * alone. For any state reached by these rules, `balanceFromLedger(entries, at)` equals
 * `balance(state, at)` at every instant.
 */
export function balanceFromLedger(entries: readonly LedgerEntry[], at: string): Balance {
  const lots = new Map<string, { availableAt: string; expiresAt: string | null; remaining: number }>();
  for (const entry of entries) {
    if (entry.newLot) lots.set(entry.newLot.lotId, { ...entry.newLot, remaining: 0 });
  }
  let overdrawn = 0;
  let shortfall = 0;
  let lifetimeEarned = 0;
  let lifetimeSpent = 0;
  for (const entry of entries) {
    for (const change of entry.lots) {
      const lot = lots.get(change.lotId);
      if (!lot) throw new RangeError(`Ledger entry touches lot ${change.lotId}, which no entry opened`);
      lot.remaining += change.points;
    }
    overdrawn += entry.overdrawn;
    shortfall += entry.shortfall;
    // The shortfall part of a clawback was taken back too, only not from a lot.
    if (entry.type === 'EARN' || entry.type === 'REVERSE') lifetimeEarned += entry.points - entry.shortfall;
    if (entry.type === 'REDEEM') lifetimeSpent -= entry.points;
  }
  const { available, pending } = sumLotBalances(lots.values(), normalizeInstant(at));
  return { available: available - overdrawn, pending, lifetimeEarned, lifetimeSpent, shortfall };
}

export interface ExpiringPoints {
  /** Local date (`YYYY-MM-DD`) in the requested time zone. */
  date: string;
  /** The earliest instant on that date at which some of these points expire. */
  expiresAt: string;
  points: number;
}

export interface ExpiringSoonOptions {
  /** Needed for INACTIVITY, whose expiry follows the last activity rather than the lot. */
  policy?: ExpiryPolicy;
  /** Time zone the dates are grouped in; UTC by default. */
  timeZone?: string;
}

/**
 * Given a state, an instant and a horizon in days, returns the points that will expire by
 * `at + withinDays`, grouped by local date, earliest first. Under INACTIVITY a lot expires at the
 * earlier of its own expiry and `lastActivityAt + days` (already due but not yet swept included).
 */
export function pointsExpiringSoon(
  state: LedgerState,
  at: string,
  withinDays: number,
  options: ExpiringSoonOptions = {},
): ExpiringPoints[] {
  assertWholeDays(withinDays, 'withinDays', 0);
  const now = normalizeInstant(at);
  const horizon = addDays(now, withinDays);
  const timeZone = options.timeZone ?? 'UTC';
  const policy = options.policy;
  const inactivityAt =
    policy?.type === 'INACTIVITY' && state.lastActivityAt !== null ? addDays(state.lastActivityAt, policy.days) : null;

  const byDate = new Map<string, ExpiringPoints>();
  for (const lot of state.lots) {
    if (!isLive(lot, now)) continue;
    let expiresAt = lot.expiresAt;
    if (inactivityAt !== null && (expiresAt === null || inactivityAt < expiresAt)) expiresAt = inactivityAt;
    if (expiresAt === null || expiresAt > horizon) continue;
    const date = zonedDate(expiresAt, timeZone);
    const group = byDate.get(date);
    if (group) {
      group.points += lot.remaining;
      if (expiresAt < group.expiresAt) group.expiresAt = expiresAt;
    } else {
      byDate.set(date, { date, expiresAt, points: lot.remaining });
    }
  }
  return [...byDate.values()].sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : a.expiresAt > b.expiresAt ? 1 : 0));
}

interface OpenLotInput {
  type: 'EARN' | 'ADJUST';
  points: number;
  source: LotSource;
  at: string;
  pendingDays: number;
  expiry: ExpiryPolicy;
  reason: string;
  eligibleAmount: number | null;
}

function openLot(state: LedgerState, input: OpenLotInput): LedgerResult {
  const lotId = lotIdFor(input.source);
  if (state.lots.some((lot) => lot.lotId === lotId)) return { state, entries: [] };

  const next = cloneState(state);
  const { at, points, source } = input;
  const newLot: NewLot = {
    lotId,
    availableAt: addDays(at, input.pendingDays),
    expiresAt: input.expiry.type === 'AFTER_DAYS' ? addDays(at, input.expiry.days) : null,
  };
  const lot: Lot = {
    ...newLot,
    source,
    earnedAt: at,
    points,
    remaining: points,
    reversed: 0,
    refundedAmount: 0,
    eligibleAmount: input.eligibleAmount,
  };
  next.lots.push(lot);

  // The member saw the negative balance, so the credit simply lifts it: one entry, fewer lot points.
  const repaidOverdraft = Math.min(next.overdrawn, points);
  lot.remaining -= repaidOverdraft;
  next.overdrawn -= repaidOverdraft;
  const entries: LedgerEntry[] = [
    {
      type: input.type,
      points,
      reason: input.reason,
      source,
      lots: [{ lotId, points: points - repaidOverdraft }],
      at,
      shortfall: 0,
      overdrawn: negate(repaidOverdraft),
      newLot,
    },
  ];

  // The shortfall was never shown as a negative balance, so repaying it gets its own line.
  const repaidShortfall = Math.min(next.shortfall, lot.remaining);
  if (repaidShortfall > 0) {
    lot.remaining -= repaidShortfall;
    next.shortfall -= repaidShortfall;
    entries.push({
      type: 'REVERSE',
      points: -repaidShortfall,
      reason: LedgerReason.SHORTFALL_REPAID,
      source,
      lots: [{ lotId, points: -repaidShortfall }],
      at,
      shortfall: -repaidShortfall,
      overdrawn: 0,
    });
  }

  if (input.type === 'EARN') next.lifetimeEarned += points;
  next.lastActivityAt = latest(next.lastActivityAt, at);
  return { state: next, entries };
}

function cloneState(state: LedgerState): LedgerState {
  return { ...state, lots: state.lots.map((lot) => ({ ...lot, source: { ...lot.source } })) };
}

function isLive(lot: Pick<Lot, 'remaining' | 'expiresAt'>, at: string): boolean {
  return lot.remaining > 0 && (lot.expiresAt === null || lot.expiresAt > at);
}

/** Live lots of one kind at `at`, in draw order. */
function liveLots(state: LedgerState, at: string, kind: 'AVAILABLE' | 'PENDING'): Lot[] {
  return state.lots
    .filter((lot) => isLive(lot, at) && (kind === 'AVAILABLE') === lot.availableAt <= at)
    .sort(drawOrder);
}

function sumLotBalances(
  lots: Iterable<{ availableAt: string; expiresAt: string | null; remaining: number }>,
  at: string,
): { available: number; pending: number } {
  let available = 0;
  let pending = 0;
  for (const lot of lots) {
    if (!isLive(lot, at)) continue;
    if (lot.availableAt <= at) available += lot.remaining;
    else pending += lot.remaining;
  }
  return { available, pending };
}

function sumRemaining(lots: readonly Lot[]): number {
  return lots.reduce((sum, lot) => sum + lot.remaining, 0);
}

/** Takes up to `wanted` points from the lots in the given order, mutating them. */
function drawFrom(lots: readonly Lot[], wanted: number): { changes: LotChange[]; taken: number } {
  const changes: LotChange[] = [];
  let taken = 0;
  for (const lot of lots) {
    if (taken === wanted) break;
    const points = Math.min(lot.remaining, wanted - taken);
    if (points === 0) continue;
    lot.remaining -= points;
    taken += points;
    changes.push({ lotId: lot.lotId, points: -points });
  }
  return { changes, taken };
}

function proportionalFloor(points: number, part: number, whole: number): number {
  // BigInt because points x minor units can pass 2^53 on large orders.
  return Number((BigInt(points) * BigInt(part)) / BigInt(whole));
}

/** Negation without -0, which would make equal ledgers compare unequal. */
function negate(value: number): number {
  return value === 0 ? 0 : -value;
}

function latest(a: string | null, b: string): string {
  return a !== null && a > b ? a : b;
}

function assertPositivePoints(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${field} must be a positive integer, got ${value}`);
}

function assertPositiveAmount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${field} must be a positive integer in minor units, got ${value}`);
  }
}

function assertWholeDays(value: number, field: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${field} must be an integer >= ${min}, got ${value}`);
}

function assertExpiryPolicy(policy: ExpiryPolicy): void {
  if (policy.type !== 'NEVER') assertWholeDays(policy.days, `expiry.days (${policy.type})`, 1);
}
