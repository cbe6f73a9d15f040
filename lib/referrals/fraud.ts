import type { ReferralReason } from './referrals.entities.js';

/**
 * The referral fraud rules, I/O-free: given what is known about a referral when the referee's
 * order arrives, decide REJECTED (with the first rule that rejects), FLAGGED (with every review
 * rule that matched) or PENDING, and say which rule decided. The service gathers the facts and
 * stores the decision with its signals, so every referral explains itself.
 */

export interface Person {
  customerId: string;
  externalId?: string | null | undefined;
  email?: string | null | undefined;
}

export interface RiskSignals {
  shippingAddressHash?: string | null | undefined;
  ipHash?: string | null | undefined;
  paymentFingerprintHash?: string | null | undefined;
}

/** Every risk hash seen on the referrer's own orders. */
export interface KnownRisk {
  shippingAddressHashes: readonly string[];
  ipHashes: readonly string[];
  paymentFingerprintHashes: readonly string[];
}

export interface ReferralFacts {
  programEnabled: boolean;
  /** The code's owner, or undefined for an unknown code. */
  code: { customerId: string; expiresAt?: string | null | undefined } | undefined;
  /** The instant of the referee's order. */
  at: string;
  referrer: Person | undefined;
  referee: Person;
  /** Another order already holds the referee's referral. */
  refereeAlreadyReferred: boolean;
  /** Counted (not cancelled) orders of the referee placed before this one. */
  refereeEarlierOrders: number;
  orderTotal: number;
  minimumOrderAmount: number;
  /** Referrals already holding a slot in the referrer's month and year. */
  referrerCounts: { month: number; year: number };
  limits: { perMonth?: number | null | undefined; perYear?: number | null | undefined };
  risk: { referee: RiskSignals; referrer: KnownRisk };
  velocity: { recentReferrals: number; max: number; windowHours: number };
}

export interface ReferralSignals {
  selfReferral: boolean;
  refereeEarlierOrders: number;
  sharedShippingAddress: boolean;
  sharedIp: boolean;
  sharedPayment: boolean;
  referrerReferralsInVelocityWindow: number;
  referrerMonthCount: number;
  referrerYearCount: number;
}

export interface ReferralDecision {
  status: 'PENDING' | 'FLAGGED' | 'REJECTED';
  reason: ReferralReason;
  flags: ReferralReason[];
  signals: ReferralSignals;
}

const gmailDomains = new Set(['gmail.com', 'googlemail.com']);

/**
 * Given an email, returns the form two addresses of one person share: trimmed, lower-cased, the
 * `+tag` removed, and for Gmail the dots of the local part removed and googlemail.com as gmail.com.
 */
export function normalizeEmailForReferral(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0) return lower;
  let local = lower.slice(0, at);
  let domain = lower.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus >= 0) local = local.slice(0, plus);
  if (gmailDomains.has(domain)) {
    local = local.replaceAll('.', '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}

/** Given referrer and referee, returns which self-referral rule they break, if any. */
export function selfReferralReason(referrer: Person, referee: Person): ReferralReason | null {
  if (referrer.customerId === referee.customerId) return 'SELF_REFERRAL_CUSTOMER';
  if (referrer.externalId && referee.externalId && referrer.externalId === referee.externalId) return 'SELF_REFERRAL_EXTERNAL_ID';
  if (referrer.email && referee.email && normalizeEmailForReferral(referrer.email) === normalizeEmailForReferral(referee.email)) return 'SELF_REFERRAL_EMAIL';
  return null;
}

function shares(value: string | null | undefined, known: readonly string[]): boolean {
  return Boolean(value) && known.includes(value!);
}

/** Given the facts of a new referral, returns its status, the deciding rule, the flags and the signals. */
export function decideReferral(facts: ReferralFacts): ReferralDecision {
  const self = facts.referrer ? selfReferralReason(facts.referrer, facts.referee) : null;
  const signals: ReferralSignals = {
    selfReferral: self !== null,
    refereeEarlierOrders: facts.refereeEarlierOrders,
    sharedShippingAddress: shares(facts.risk.referee.shippingAddressHash, facts.risk.referrer.shippingAddressHashes),
    sharedIp: shares(facts.risk.referee.ipHash, facts.risk.referrer.ipHashes),
    sharedPayment: shares(facts.risk.referee.paymentFingerprintHash, facts.risk.referrer.paymentFingerprintHashes),
    referrerReferralsInVelocityWindow: facts.velocity.recentReferrals,
    referrerMonthCount: facts.referrerCounts.month,
    referrerYearCount: facts.referrerCounts.year,
  };
  const reject = (reason: ReferralReason): ReferralDecision => ({ status: 'REJECTED', reason, flags: [], signals });

  if (!facts.programEnabled) return reject('PROGRAM_DISABLED');
  if (!facts.code || !facts.referrer) return reject('UNKNOWN_CODE');
  if (facts.code.expiresAt && facts.code.expiresAt <= facts.at) return reject('CODE_EXPIRED');
  if (self) return reject(self);
  if (facts.refereeAlreadyReferred) return reject('DUPLICATE_REFEREE');
  if (facts.refereeEarlierOrders > 0) return reject('REFEREE_NOT_NEW');
  if (facts.orderTotal < facts.minimumOrderAmount) return reject('BELOW_MINIMUM_ORDER');
  if (facts.limits.perMonth != null && facts.referrerCounts.month >= facts.limits.perMonth) return reject('MONTHLY_LIMIT_REACHED');
  if (facts.limits.perYear != null && facts.referrerCounts.year >= facts.limits.perYear) return reject('YEARLY_LIMIT_REACHED');

  const flags: ReferralReason[] = [];
  if (signals.sharedShippingAddress) flags.push('SHARED_SHIPPING_ADDRESS');
  if (signals.sharedIp) flags.push('SHARED_IP');
  if (signals.sharedPayment) flags.push('SHARED_PAYMENT');
  // The new referral counts itself: `max` referrals in the window pass, one more is flagged.
  if (facts.velocity.recentReferrals + 1 > facts.velocity.max) flags.push('VELOCITY');
  if (flags.length > 0) return { status: 'FLAGGED', reason: flags[0]!, flags, signals };
  return { status: 'PENDING', reason: 'PASSED_RULES', flags: [], signals };
}

/** Given the period keys of an instant (UTC), returns the month and year limit counters it counts in. */
export function limitPeriods(at: string): { month: string; year: string } {
  return { month: `M${at.slice(0, 7)}`, year: `Y${at.slice(0, 4)}` };
}

/** Given the referee's order as it is now, returns why it no longer stands, or null when it does. */
export function orderNoLongerStands(order: { status: string; total: number; refunded: number }): 'ORDER_CANCELLED' | 'ORDER_REFUNDED' | null {
  if (order.status === 'CANCELLED') return 'ORDER_CANCELLED';
  if (order.total > 0 && order.refunded >= order.total) return 'ORDER_REFUNDED';
  return null;
}
