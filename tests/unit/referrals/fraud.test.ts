import { describe, expect, it } from 'vitest';
import {
  decideReferral,
  limitPeriods,
  normalizeEmailForReferral,
  orderNoLongerStands,
  selfReferralReason,
  type ReferralFacts,
} from '../../../lib/referrals/fraud.js';

/** Facts of a referral every rule lets through; override what a test is about. */
function aReferral(overrides: Partial<ReferralFacts> = {}): ReferralFacts {
  return {
    programEnabled: true,
    code: { customerId: 'c-referrer' },
    at: '2026-03-01T10:00:00.000Z',
    referrer: { customerId: 'c-referrer', externalId: 'ext-1', email: 'anna@example.com' },
    referee: { customerId: 'c-referee', externalId: 'ext-2', email: 'ben@example.com' },
    refereeAlreadyReferred: false,
    refereeEarlierOrders: 0,
    orderTotal: 5000,
    minimumOrderAmount: 2000,
    referrerCounts: { month: 0, year: 0 },
    limits: { perMonth: 3, perYear: 10 },
    risk: {
      referee: { shippingAddressHash: 'ship-b', ipHash: 'ip-b', paymentFingerprintHash: 'pay-b' },
      referrer: { shippingAddressHashes: ['ship-a'], ipHashes: ['ip-a'], paymentFingerprintHashes: ['pay-a'] },
    },
    velocity: { recentReferrals: 0, max: 3, windowHours: 24 },
    ...overrides,
  };
}

describe('normalizeEmailForReferral', () => {
  it.each([
    ['Anna.Smith+shop@Gmail.com', 'annasmith@gmail.com'],
    ['a.n.n.a@googlemail.com', 'anna@gmail.com'],
    ['anna.smith+x@example.com', 'anna.smith@example.com'],
    ['  ANNA@Example.COM ', 'anna@example.com'],
    ['not-an-email', 'not-an-email'],
  ])('normalises %j to %j', (email, expected) => {
    expect(normalizeEmailForReferral(email)).toBe(expected);
  });
});

describe('selfReferralReason', () => {
  it.each([
    [{ customerId: 'c-1' }, { customerId: 'c-1' }, 'SELF_REFERRAL_CUSTOMER'],
    [{ customerId: 'c-1', externalId: 'e' }, { customerId: 'c-2', externalId: 'e' }, 'SELF_REFERRAL_EXTERNAL_ID'],
    [{ customerId: 'c-1', email: 'an.na+a@gmail.com' }, { customerId: 'c-2', email: 'ANNA@googlemail.com' }, 'SELF_REFERRAL_EMAIL'],
    [{ customerId: 'c-1', email: 'anna@gmail.com' }, { customerId: 'c-2', email: 'ben@gmail.com' }, null],
    [{ customerId: 'c-1', externalId: null }, { customerId: 'c-2', externalId: null }, null],
  ])('judges %j and %j as %s', (referrer, referee, expected) => {
    expect(selfReferralReason(referrer, referee)).toBe(expected);
  });
});

describe('decideReferral', () => {
  it('accepts a referral that no rule objects to', () => {
    const decision = decideReferral(aReferral());

    expect(decision).toMatchObject({ status: 'PENDING', reason: 'PASSED_RULES', flags: [] });
    expect(decision.signals).toMatchObject({ selfReferral: false, sharedIp: false, refereeEarlierOrders: 0 });
  });

  it.each<[string, Partial<ReferralFacts>, string]>([
    ['a disabled program', { programEnabled: false }, 'PROGRAM_DISABLED'],
    ['an unknown code', { code: undefined, referrer: undefined }, 'UNKNOWN_CODE'],
    ['an expired code', { code: { customerId: 'c-referrer', expiresAt: '2026-03-01T09:00:00.000Z' } }, 'CODE_EXPIRED'],
    ['the same customer', { referee: { customerId: 'c-referrer' } }, 'SELF_REFERRAL_CUSTOMER'],
    ['the same external id', { referee: { customerId: 'c-x', externalId: 'ext-1' } }, 'SELF_REFERRAL_EXTERNAL_ID'],
    ['the same normalised email', { referee: { customerId: 'c-x', email: 'Anna+promo@example.com' } }, 'SELF_REFERRAL_EMAIL'],
    ['a referee referred before', { refereeAlreadyReferred: true }, 'DUPLICATE_REFEREE'],
    ['a referee with earlier orders', { refereeEarlierOrders: 1 }, 'REFEREE_NOT_NEW'],
    ['an order below the minimum', { orderTotal: 1999 }, 'BELOW_MINIMUM_ORDER'],
    ['a full month', { referrerCounts: { month: 3, year: 3 } }, 'MONTHLY_LIMIT_REACHED'],
    ['a full year', { referrerCounts: { month: 0, year: 10 } }, 'YEARLY_LIMIT_REACHED'],
  ])('rejects %s', (_name, overrides, reason) => {
    const decision = decideReferral(aReferral(overrides));

    expect(decision.status).toBe('REJECTED');
    expect(decision.reason).toBe(reason);
  });

  it('accepts an order of exactly the minimum and a month one below its limit', () => {
    const decision = decideReferral(aReferral({ orderTotal: 2000, referrerCounts: { month: 2, year: 9 } }));

    expect(decision.status).toBe('PENDING');
  });

  it('has no limit when none is set', () => {
    const decision = decideReferral(aReferral({ limits: {}, referrerCounts: { month: 500, year: 5000 } }));

    expect(decision.status).toBe('PENDING');
  });

  it.each<[string, Partial<ReferralFacts['risk']['referee']>, string]>([
    ['shipping address', { shippingAddressHash: 'ship-a' }, 'SHARED_SHIPPING_ADDRESS'],
    ['IP', { ipHash: 'ip-a' }, 'SHARED_IP'],
    ['payment fingerprint', { paymentFingerprintHash: 'pay-a' }, 'SHARED_PAYMENT'],
  ])('flags a referee who shares the referrer’s %s', (_name, referee, reason) => {
    const facts = aReferral();
    facts.risk.referee = { ...facts.risk.referee, ...referee };

    const decision = decideReferral(facts);

    expect(decision).toMatchObject({ status: 'FLAGGED', reason, flags: [reason] });
  });

  it('flags nothing for missing hashes', () => {
    const facts = aReferral();
    facts.risk.referee = {};

    expect(decideReferral(facts).status).toBe('PENDING');
  });

  it.each([
    [2, 'PENDING'],
    [3, 'FLAGGED'],
  ])('with %i referrals already in the velocity window, decides %s', (recent, status) => {
    const decision = decideReferral(aReferral({ velocity: { recentReferrals: recent, max: 3, windowHours: 24 } }));

    expect(decision.status).toBe(status);
    if (status === 'FLAGGED') expect(decision.reason).toBe('VELOCITY');
  });

  it('records every review rule that matched', () => {
    const facts = aReferral({ velocity: { recentReferrals: 9, max: 3, windowHours: 24 } });
    facts.risk.referee = { shippingAddressHash: 'ship-a', ipHash: 'ip-a' };

    expect(decideReferral(facts).flags).toEqual(['SHARED_SHIPPING_ADDRESS', 'SHARED_IP', 'VELOCITY']);
  });

  it('rejects before it flags', () => {
    const facts = aReferral({ refereeEarlierOrders: 2 });
    facts.risk.referee = { ipHash: 'ip-a' };

    expect(decideReferral(facts)).toMatchObject({ status: 'REJECTED', reason: 'REFEREE_NOT_NEW', flags: [] });
  });
});

describe('limitPeriods', () => {
  it('names the UTC month and year of an instant', () => {
    expect(limitPeriods('2026-12-31T23:59:59.000Z')).toEqual({ month: 'M2026-12', year: 'Y2026' });
  });
});

describe('orderNoLongerStands', () => {
  it.each([
    [{ status: 'PLACED', total: 5000, refunded: 0 }, null],
    [{ status: 'PLACED', total: 5000, refunded: 4999 }, null],
    [{ status: 'PLACED', total: 5000, refunded: 5000 }, 'ORDER_REFUNDED'],
    [{ status: 'CANCELLED', total: 5000, refunded: 0 }, 'ORDER_CANCELLED'],
  ])('judges %j as %s', (order, expected) => {
    expect(orderNoLongerStands(order)).toBe(expected);
  });
});
