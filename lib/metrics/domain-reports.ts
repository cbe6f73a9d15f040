/**
 * Loyalty, referral and feedback reports of METRICS.md ("Loyalty, referrals, feedback"). Pure: no
 * I/O. A stored change (a ledger entry, a member, a referral version, a survey response version,
 * an invitation) contributes counter deltas to the period of its instant; the reports are sums of
 * counters. Rates are percentages, unrounded, null when the denominator is 0.
 */
import { nps, responseRate } from '../surveys/index.js';
import type { Granularity, PeriodKey } from './periods.js';
import { periodOf } from './periods.js';

/** Counter name → signed amount. */
export type CounterValues = Record<string, number>;

/** Deltas for the period items of one instant: one per granularity. */
export interface PeriodDelta {
  readonly at: string;
  readonly values: CounterValues;
}

const rate = (numerator: number, denominator: number): number | null => (denominator === 0 ? null : (numerator / denominator) * 100);

function add(target: CounterValues, name: string, amount: number): void {
  if (amount !== 0) target[name] = (target[name] ?? 0) + amount;
}

/** Given the deltas of a change's old and new images, returns new − old (zero counters dropped). */
export function diffDeltas(before: readonly PeriodDelta[], after: readonly PeriodDelta[], granularity: Granularity, timeZone: string): Map<PeriodKey, CounterValues> {
  const result = new Map<PeriodKey, CounterValues>();
  const apply = (deltas: readonly PeriodDelta[], sign: number) => {
    for (const delta of deltas) {
      const period = periodOf(new Date(delta.at), granularity, timeZone);
      const values = result.get(period) ?? {};
      for (const [name, amount] of Object.entries(delta.values)) add(values, name, sign * amount);
      result.set(period, values);
    }
  };
  apply(before, -1);
  apply(after, 1);
  for (const [period, values] of result) {
    for (const [name, amount] of Object.entries(values)) if (amount === 0) delete values[name];
    if (Object.keys(values).length === 0) result.delete(period);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Loyalty

/** A ledger entry's contribution: what it issued, redeemed, expired or took back, and its net. */
export function loyaltyEntryDelta(entry: { type: string; points: number; at: string }): PeriodDelta {
  const values: CounterValues = {};
  const { type, points } = entry;
  if (type === 'EARN' || (type === 'ADJUST' && points > 0)) add(values, 'issued', points);
  else if (type === 'REDEEM') add(values, 'redeemed', -points);
  else if (type === 'EXPIRE') add(values, 'expired', -points);
  else add(values, 'reversed', -points);
  add(values, 'net', points);
  return { at: entry.at, values };
}

export interface LoyaltyPeriodFigures {
  pointsIssued: number;
  pointsRedeemed: number;
  pointsExpired: number;
  pointsReversed: number;
  redemptionRate: number | null;
  breakageRate: number | null;
  outstandingPoints: number;
  members: number;
  newMembers: number;
  memberPurchases: GroupPurchaseFigures;
  nonMemberPurchases: GroupPurchaseFigures;
}

/**
 * Given the points counters and the metrics period counters of every period up to the range's
 * last one, returns the rows of the periods in `range`: outstanding points and members are running
 * sums from the first period ever.
 */
export function loyaltyRows(
  points: ReadonlyMap<PeriodKey, CounterValues>,
  periods: ReadonlyMap<PeriodKey, CounterValues>,
  range: readonly PeriodKey[],
): Array<LoyaltyPeriodFigures & { period: PeriodKey }> {
  const first = range[0];
  let outstanding = 0;
  let members = 0;
  for (const [period, values] of points) if (first !== undefined && period < first) outstanding += values.net ?? 0;
  for (const [period, values] of periods) if (first !== undefined && period < first) members += values.newMembers ?? 0;
  return range.map((period) => {
    const v = points.get(period) ?? {};
    const p = periods.get(period) ?? {};
    const issued = v.issued ?? 0;
    const redeemed = v.redeemed ?? 0;
    const expired = v.expired ?? 0;
    outstanding += v.net ?? 0;
    members += p.newMembers ?? 0;
    return {
      period,
      pointsIssued: issued,
      pointsRedeemed: redeemed,
      pointsExpired: expired,
      pointsReversed: v.reversed ?? 0,
      redemptionRate: rate(redeemed, issued),
      breakageRate: rate(expired, issued),
      outstandingPoints: outstanding,
      members,
      newMembers: p.newMembers ?? 0,
      memberPurchases: memberPurchaseFigures(p),
      nonMemberPurchases: nonMemberPurchaseFigures(p),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Referrals

/** Reasons that mean the referee's order did not carry a valid code: no referral started. */
export const INVALID_CODE_REASONS: readonly string[] = ['PROGRAM_DISABLED', 'UNKNOWN_CODE', 'CODE_EXPIRED'];

/**
 * A referral version's contribution, all in the period of the referee's order (`placedAt`):
 * started unless the code was invalid; completed (and its order total as referred revenue);
 * rejected, in total and per reason (`rejected:<REASON>`).
 */
export function referralDeltas(referral: { status?: unknown; reason?: unknown; placedAt?: unknown; orderTotal?: unknown } | undefined): PeriodDelta[] {
  if (!referral || typeof referral.placedAt !== 'string') return [];
  const values: CounterValues = {};
  const reason = String(referral.reason);
  if (!INVALID_CODE_REASONS.includes(reason)) add(values, 'started', 1);
  if (referral.status === 'COMPLETED') {
    add(values, 'completed', 1);
    add(values, 'referredRevenue', Number(referral.orderTotal ?? 0));
  }
  if (referral.status === 'REJECTED') {
    add(values, 'rejected', 1);
    add(values, `rejected:${reason}`, 1);
  }
  return [{ at: referral.placedAt, values }];
}

export interface ReferralPeriodFigures {
  referralsStarted: number;
  referralsCompleted: number;
  referralsRejected: number;
  rejectedByReason: Array<{ reason: string; count: number }>;
  completionRate: number | null;
  referredRevenue: number;
}

export function referralFigures(v: CounterValues): ReferralPeriodFigures {
  const started = v.started ?? 0;
  const completed = v.completed ?? 0;
  return {
    referralsStarted: started,
    referralsCompleted: completed,
    referralsRejected: v.rejected ?? 0,
    rejectedByReason: Object.entries(v)
      .filter(([name, count]) => name.startsWith('rejected:') && count !== 0)
      .map(([name, count]) => ({ reason: name.slice('rejected:'.length), count }))
      .sort((a, b) => (a.reason < b.reason ? -1 : 1)),
    completionRate: rate(completed, started),
    referredRevenue: v.referredRevenue ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Feedback

/** CSAT's satisfied cut-off on its 1–5 scale. */
export const CSAT_SATISFIED_FROM = 4;

/**
 * A survey response version's contribution, in the period of its first submission: one response
 * (and one invited response when it came through an invitation); its score into the NPS categories,
 * the CSAT satisfied count or the CES sum, by the survey's kind. CUSTOM scores are only counted as responses.
 */
export function responseDeltas(response: { kind?: unknown; score?: unknown; submittedAt?: unknown; channel?: unknown } | undefined): PeriodDelta[] {
  if (!response || typeof response.submittedAt !== 'string' || typeof response.score !== 'number') return [];
  const values: CounterValues = { responses: 1 };
  const score = response.score;
  // The channel, not `invitationId` (removed when the customer is erased), says it answered an invitation.
  if (response.channel === 'INVITATION') add(values, 'invitedResponses', 1);
  if (response.kind === 'NPS') {
    const n = nps([score]);
    add(values, 'npsPromoters', n.promoters);
    add(values, 'npsPassives', n.passives);
    add(values, 'npsDetractors', n.detractors);
  } else if (response.kind === 'CSAT') {
    add(values, 'csatResponses', 1);
    add(values, 'csatSatisfied', score >= CSAT_SATISFIED_FROM ? 1 : 0);
  } else if (response.kind === 'CES') {
    add(values, 'cesResponses', 1);
    add(values, 'cesSum', score);
  }
  return [{ at: response.submittedAt, values }];
}

/** An invitation's contribution: one invitation in the period it is due to be sent. */
export function invitationDeltas(invitation: { sendAfter?: unknown } | undefined): PeriodDelta[] {
  if (!invitation || typeof invitation.sendAfter !== 'string') return [];
  return [{ at: invitation.sendAfter, values: { invitations: 1 } }];
}

export interface FeedbackPeriodFigures {
  responses: number;
  invitedResponses: number;
  invitations: number;
  responseRate: number | null;
  nps: { score: number | null; promoters: number; passives: number; detractors: number; responses: number };
  csat: { score: number | null; satisfied: number; responses: number; satisfiedFrom: number };
  ces: { mean: number | null; sum: number; responses: number };
}

export function feedbackFigures(v: CounterValues): FeedbackPeriodFigures {
  const promoters = v.npsPromoters ?? 0;
  const passives = v.npsPassives ?? 0;
  const detractors = v.npsDetractors ?? 0;
  const npsResponses = promoters + passives + detractors;
  const csatResponses = v.csatResponses ?? 0;
  const satisfied = v.csatSatisfied ?? 0;
  const cesResponses = v.cesResponses ?? 0;
  const cesSum = v.cesSum ?? 0;
  return {
    responses: v.responses ?? 0,
    invitedResponses: v.invitedResponses ?? 0,
    invitations: v.invitations ?? 0,
    responseRate: responseRate(v.invitedResponses ?? 0, v.invitations ?? 0),
    nps: { score: npsResponses === 0 ? null : ((promoters - detractors) / npsResponses) * 100, promoters, passives, detractors, responses: npsResponses },
    csat: { score: rate(satisfied, csatResponses), satisfied, responses: csatResponses, satisfiedFrom: CSAT_SATISFIED_FROM },
    ces: { mean: cesResponses === 0 ? null : cesSum / cesResponses, sum: cesSum, responses: cesResponses },
  };
}

// ---------------------------------------------------------------------------------------------
// Members vs non-members

export interface GroupPurchaseFigures {
  customers: number;
  repeatCustomers: number;
  repeatPurchaseRate: number | null;
  orders: number;
  revenue: number;
  averageOrderValue: number | null;
}

function groupFigures(customers: number, repeat: number, orders: number, revenue: number): GroupPurchaseFigures {
  return { customers, repeatCustomers: repeat, repeatPurchaseRate: rate(repeat, customers), orders, revenue, averageOrderValue: orders === 0 ? null : revenue / orders };
}

/**
 * The purchases in a period of the customers who were loyalty members at its end, from the metrics
 * period counters (`member*`, see contribution.ts): revenue on the shop's revenue basis.
 */
export function memberPurchaseFigures(v: CounterValues): GroupPurchaseFigures {
  return groupFigures(v.memberActiveCustomers ?? 0, v.memberRepeatCustomers ?? 0, v.memberOrders ?? 0, v.memberRevenue ?? 0);
}

/** The purchases in a period of everyone else: the period's totals minus the members'. */
export function nonMemberPurchaseFigures(v: CounterValues): GroupPurchaseFigures {
  return groupFigures(
    (v.activeCustomers ?? 0) - (v.memberActiveCustomers ?? 0),
    (v.repeatCustomers ?? 0) - (v.memberRepeatCustomers ?? 0),
    (v.orders ?? 0) - (v.memberOrders ?? 0),
    (v.revenue ?? 0) - (v.memberRevenue ?? 0),
  );
}
