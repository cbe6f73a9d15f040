import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMeter, withMeter } from '../../lib/db/client.js';
import { referralProjection, runReferralCompletion } from '../../lib/referrals/index.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { aShop, anOrder, ORDER_RECORD, type TestShop } from '../fixtures/api.js';
import { feedStream } from '../fixtures/stream.js';

const DAY = 86_400_000;

// Only the referral projection: loyalty's order earnings would blur the referrer's balance.
const streamHandler = createStreamHandler([referralProjection]);
const stream = feedStream(streamHandler);
const { delivered } = stream;

const LOYALTY_PROGRAM = /* GraphQL */ `
  mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { userErrors { field code message } } }
`;
const PROGRAM = /* GraphQL */ `
  mutation ($input: ReferralProgramUpdateInput!) {
    referralProgramUpdate(input: $input) {
      program { enabled holdDays maxPerMonth urlTemplate version referrerReward { points } refereeReward { kind value minimumOrderAmount { amount } } }
      userErrors { field code message }
    }
  }
`;
const CUSTOMER_REFERRAL = /* GraphQL */ `
  query ($externalId: String!) {
    customerByExternalId(externalId: $externalId) {
      id
      referral { code url visits rewardsEarned referralsByStatus { status count } }
      loyalty { balance { available pending } entries(first: 10) { nodes { points reason sourceType } } }
    }
  }
`;
const CODE_REQUEST = /* GraphQL */ `
  mutation ($input: ReferralCodeRequestInput!) {
    referralCodeRequest(input: $input) { referral { code url } userErrors { field code message } }
  }
`;
const VISIT = /* GraphQL */ `
  mutation ($input: ReferralVisitTrackInput!) { referralVisitTrack(input: $input) { recorded userErrors { code } } }
`;
const REFERRALS = /* GraphQL */ `
  query ($filter: ReferralFilter, $first: Int, $after: String) {
    referrals(filter: $filter, first: $first, after: $after) {
      nodes {
        orderId code status reason flags rewardPoints rewardedAt refereeCouponCode holdUntil
        referrer { externalId } referee { externalId }
        signals { selfReferral refereeEarlierOrders sharedShippingAddress sharedIp sharedPayment referrerReferralsInVelocityWindow referrerMonthCount }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const APPLY = /* GraphQL */ `
  mutation ($input: ReferralCodeApplyInput!) {
    referralCodeApply(input: $input) {
      valid reason offer { kind value } coupon { code status kind value expiresAt }
      userErrors { field code message }
    }
  }
`;
const DECIDE_APPROVE = /* GraphQL */ `
  mutation ($input: ReferralDecisionInput!) { referralApprove(input: $input) { referral { status reason rewardPoints } userErrors { field code message } } }
`;
const DECIDE_REJECT = /* GraphQL */ `
  mutation ($input: ReferralDecisionInput!) { referralReject(input: $input) { referral { status reason } userErrors { field code message } } }
`;
const STATS = /* GraphQL */ `
  query ($from: DateTime!, $to: DateTime!) {
    referralStats(from: $from, to: $to) {
      total byStatus { status count } byRejectionReason { reason count }
      topReferrers { referrer { externalId } completed total rewardPoints }
    }
  }
`;
const CANCEL = /* GraphQL */ `
  mutation ($input: OrderCancelInput!) { orderCancel(input: $input) { userErrors { field code message } } }
`;
const REFUND = /* GraphQL */ `
  mutation ($input: OrderRefundInput!) { orderRefund(input: $input) { userErrors { field code message } } }
`;
const SHARE = /* GraphQL */ `
  mutation ($input: SocialShareRecordInput!) { socialShareRecord(input: $input) { pointsEarned replayed userErrors { field code message } } }
`;
const COUPON = /* GraphQL */ `
  query ($code: String!) { referralCoupon(code: $code) { code status kind value orderId } }
`;

/** A shop with a loyalty program and a referral program: 500 points, a 10 EUR coupon, 14 hold days. */
async function aReferralShop(program: Record<string, unknown> = {}): Promise<TestShop> {
  const t = await aShop();
  const loyalty = await t.gql(LOYALTY_PROGRAM, { input: { pointsPerUnit: 1, pendingDays: 0, actions: [{ action: 'SOCIAL_SHARE', points: 25 }] } });
  expect(loyalty.data!.loyaltyProgramUpdate.userErrors).toEqual([]);
  const res = await t.gql(PROGRAM, {
    input: {
      referrerReward: { type: 'POINTS', points: 500 },
      refereeReward: { kind: 'FIXED_AMOUNT', value: 1000, minimumOrderAmount: 3000 },
      holdDays: 14,
      minimumOrderAmount: 2000,
      ...program,
    },
  });
  expect(res.data!.referralProgramUpdate.userErrors).toEqual([]);
  return t;
}

/** Records an order through the API and feeds the stream. */
async function placeOrder(t: TestShop, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const input = anOrder({ placedAt: t.clock.now().toISOString(), ...overrides });
  const res = await t.gql(ORDER_RECORD, { input });
  expect(res.data!.orderRecord.userErrors).toEqual([]);
  await stream.poller.drain();
  return input;
}

/** A referrer: a customer with an order a month ago, and their code. */
async function aReferrer(t: TestShop, externalId = 'referrer', email = `${externalId}@example.com`): Promise<string> {
  await placeOrder(t, { customer: { externalId, email }, placedAt: new Date(t.clock.now().getTime() - 30 * DAY).toISOString() });
  return (await summary(t, externalId)).referral.code as string;
}

async function summary(t: TestShop, externalId: string) {
  const res = await t.gql(CUSTOMER_REFERRAL, { externalId });
  expect(res.errors).toBeUndefined();
  return res.data!.customerByExternalId as { id: string; referral: Record<string, any>; loyalty: Record<string, any> | null };
}

async function referralOf(t: TestShop, orderId: string) {
  const res = await t.gql(REFERRALS, { first: 100 });
  expect(res.errors).toBeUndefined();
  return (res.data!.referrals.nodes as Array<Record<string, any>>).find((r) => r.orderId === orderId);
}

async function pointsOf(t: TestShop, externalId: string): Promise<number> {
  const balance = (await summary(t, externalId)).loyalty?.balance;
  return (balance?.available ?? 0) + (balance?.pending ?? 0);
}

function count(list: Array<{ status: string; count: number }>, status: string): number {
  return list.find((entry) => entry.status === status)?.count ?? 0;
}

describe('referral lifecycle', () => {
  it('pays the referrer once after the hold period of a standing first order', async () => {
    const t = await aReferralShop();
    const code = await aReferrer(t);

    const visit = await t.gql(VISIT, { input: { code: code.toLowerCase() } }, { authorization: `Bearer ${t.publishableKey}` });
    const order = await placeOrder(t, { customer: { externalId: 'friend', email: 'friend@example.com' }, referralCode: ` ${code.slice(0, 4).toLowerCase()}-${code.slice(4)} ` });
    const pending = await referralOf(t, order.orderId);

    expect(visit.data!.referralVisitTrack).toEqual({ recorded: true, userErrors: [] });
    expect(pending).toMatchObject({ status: 'PENDING', reason: 'PASSED_RULES', code, referrer: { externalId: 'referrer' }, referee: { externalId: 'friend' } });
    const coupon = await t.gql(COUPON, { code: pending!.refereeCouponCode });
    expect(coupon.data!.referralCoupon).toMatchObject({ status: 'ISSUED', kind: 'FIXED_AMOUNT', value: 1000 });

    await runReferralCompletion(t.clock);
    expect((await referralOf(t, order.orderId))!.status).toBe('PENDING');
    expect(await pointsOf(t, 'referrer')).toBe(0);

    t.clock.advance(15 * DAY);
    await runReferralCompletion(t.clock);
    await runReferralCompletion(t.clock);

    const completed = await referralOf(t, order.orderId);
    const referrer = await summary(t, 'referrer');
    expect(completed).toMatchObject({ status: 'COMPLETED', reason: 'HOLD_PERIOD_PASSED', rewardPoints: 500 });
    expect(completed!.rewardedAt).not.toBeNull();
    expect(await pointsOf(t, 'referrer')).toBe(500);
    expect(referrer.referral).toMatchObject({ code, visits: 1, rewardsEarned: 500, url: `https://shop.example/r/${code}` });
    expect(count(referrer.referral.referralsByStatus, 'COMPLETED')).toBe(1);
  });

  it.each([
    ['cancelled', 'ORDER_CANCELLED', (t: TestShop, orderId: string) => t.gql(CANCEL, { input: { orderId } })],
    ['fully refunded', 'ORDER_REFUNDED', (t: TestShop, orderId: string) => t.gql(REFUND, { input: { orderId, refundId: 'r-1', amount: 5500 } })],
  ])('rejects the referral of an order %s within the hold period and pays nothing', async (_name, reason, change) => {
    const t = await aReferralShop();
    const code = await aReferrer(t);
    const order = await placeOrder(t, { customer: { externalId: 'friend' }, referralCode: code });

    t.clock.advance(3 * DAY);
    const res = await change(t, order.orderId);
    await stream.poller.drain();
    t.clock.advance(20 * DAY);
    await runReferralCompletion(t.clock);

    expect((res.data as any)[Object.keys(res.data!)[0]!].userErrors).toEqual([]);
    expect(await referralOf(t, order.orderId)).toMatchObject({ status: 'REJECTED', reason, rewardPoints: null });
    expect(await pointsOf(t, 'referrer')).toBe(0);
  });

  it('keeps a partly refunded order standing', async () => {
    const t = await aReferralShop();
    const code = await aReferrer(t);
    const order = await placeOrder(t, { customer: { externalId: 'friend' }, referralCode: code });

    await t.gql(REFUND, { input: { orderId: order.orderId, refundId: 'r-1', amount: 1000 } });
    await stream.poller.drain();
    t.clock.advance(15 * DAY);
    await runReferralCompletion(t.clock);

    expect((await referralOf(t, order.orderId))!.status).toBe('COMPLETED');
    expect(await pointsOf(t, 'referrer')).toBe(500);
  });
});

describe('referrer reward from the catalogue', () => {
  it('credits the reward’s cost and redeems it once, giving the referrer a loyalty coupon', async () => {
    const t = await aReferralShop();
    const created = await t.gql(
      `mutation { loyaltyRewardCreate(input: { name: "5 EUR off", kind: FIXED_AMOUNT, value: 500, pointsCost: 300 }) { reward { rewardId } userErrors { message } } }`,
    );
    const rewardId = created.data!.loyaltyRewardCreate.reward.rewardId;
    const update = await t.gql(PROGRAM, { input: { referrerReward: { type: 'REWARD', rewardId } } });
    const code = await aReferrer(t);
    const order = await placeOrder(t, { customer: { externalId: 'friend' }, referralCode: code });

    t.clock.advance(15 * DAY);
    await Promise.all([runReferralCompletion(t.clock), runReferralCompletion(t.clock)]);
    await runReferralCompletion(t.clock);

    const referral = await t.gql(`{ referrals(first: 5) { nodes { status rewardPoints referrerCouponCode } } }`);
    const paid = referral.data!.referrals.nodes[0];
    const coupon = await t.gql(`query ($code: String!) { loyaltyCouponValidate(input: { code: $code }) { valid coupon { rewardId } } }`, {
      code: paid.referrerCouponCode,
    });
    const ledger = (await summary(t, 'referrer')).loyalty!.entries.nodes as Array<Record<string, any>>;
    expect(update.data!.referralProgramUpdate.userErrors).toEqual([]);
    expect(paid).toMatchObject({ status: 'COMPLETED', rewardPoints: 300 });
    expect(coupon.data!.loyaltyCouponValidate).toMatchObject({ valid: true, coupon: { rewardId } });
    expect(ledger.map((e) => e.points).sort()).toEqual([-300, 300]);
    expect(await pointsOf(t, 'referrer')).toBe(0);
  });

  it.each([
    [{ type: 'POINTS' }, ['input', 'referrerReward', 'points']],
    [{ type: 'REWARD' }, ['input', 'referrerReward', 'rewardId']],
  ])('refuses an incomplete referrer reward %j', async (referrerReward, field) => {
    const t = await aShop();

    const res = await t.gql(PROGRAM, { input: { referrerReward } });

    expect(res.data!.referralProgramUpdate).toMatchObject({ program: null, userErrors: [{ field, code: 'INVALID' }] });
  });
});

describe('exactly-once rewards', () => {
  it('creates one referral and pays once under replayed orders, redelivered batches and concurrent runs', async () => {
    const t = await aReferralShop();
    const code = await aReferrer(t);
    const before = delivered.length;
    const order = await placeOrder(t, { customer: { externalId: 'friend' }, referralCode: code });

    const replay = await t.gql(ORDER_RECORD, { input: order });
    for (const batch of delivered.slice(before)) await streamHandler(batch);
    await stream.poller.drain();
    t.clock.advance(15 * DAY);
    await Promise.all(Array.from({ length: 6 }, () => runReferralCompletion(t.clock)));
    for (const batch of delivered.slice(before)) await streamHandler(batch);
    await runReferralCompletion(t.clock);

    const all = (await t.gql(REFERRALS, { first: 100 })).data!.referrals.nodes as Array<Record<string, any>>;
    const ledger = (await summary(t, 'referrer')).loyalty!.entries.nodes as Array<Record<string, any>>;
    expect(replay.data!.orderRecord.created).toBe(false);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'COMPLETED', signals: { referrerMonthCount: 0 } });
    expect(ledger.filter((entry) => entry.reason === 'REFERRAL')).toHaveLength(1);
    expect(await pointsOf(t, 'referrer')).toBe(500);
  });
});

describe('referral codes', () => {
  it('gives one customer one code however many requests race', async () => {
    const t = await aReferralShop();
    await placeOrder(t, { customer: { externalId: 'anna' } });
    const id = (await t.gql(`query { customerByExternalId(externalId: "anna") { id } }`)).data!.customerByExternalId.id;

    const results = await Promise.all(Array.from({ length: 12 }, () => t.gql(CODE_REQUEST, { input: { customer: id } })));

    const codes = new Set(results.map((r) => r.data!.referralCodeRequest.referral.code));
    expect(results.every((r) => r.data!.referralCodeRequest.userErrors.length === 0)).toBe(true);
    expect(codes.size).toBe(1);
  });

  it('gives many customers distinct unguessable codes when created at once', async () => {
    const t = await aReferralShop({ codeLength: 6 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: `c-${i}` } }) });
      ids.push((await t.gql(`query { customerByExternalId(externalId: "c-${i}") { id } }`)).data!.customerByExternalId.id);
    }

    const results = await Promise.all(ids.map((id) => t.gql(CODE_REQUEST, { input: { customer: id } })));

    const codes = results.map((r) => r.data!.referralCodeRequest.referral.code as string);
    expect(new Set(codes).size).toBe(20);
    for (const code of codes) expect(code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
  });

  it('grants a free vanity code, refuses a taken one, and keeps the old code working', async () => {
    const t = await aReferralShop();
    const old = await aReferrer(t, 'anna');
    await aReferrer(t, 'ben');
    const anna = await summary(t, 'anna');
    const ben = await summary(t, 'ben');

    const granted = await t.gql(CODE_REQUEST, { input: { customer: anna.id, vanity: 'anna-2026' } });
    const taken = await t.gql(CODE_REQUEST, { input: { customer: ben.id, vanity: 'Anna 2026' } });
    const viaOld = await placeOrder(t, { customer: { externalId: 'friend-1' }, referralCode: old });
    const viaNew = await placeOrder(t, { customer: { externalId: 'friend-2' }, referralCode: 'ANNA2026' });

    expect(granted.data!.referralCodeRequest.referral.code).toBe('ANNA2026');
    expect(taken.data!.referralCodeRequest.userErrors).toEqual([{ field: ['input', 'vanity'], code: 'REFERRAL_CODE_TAKEN', message: expect.any(String) }]);
    expect((await referralOf(t, viaOld.orderId))!.referrer.externalId).toBe('anna');
    expect((await referralOf(t, viaNew.orderId))!.referrer.externalId).toBe('anna');
  });

  it('counts visits quietly: unknown codes and clicks over the rate limit count nothing', async () => {
    const t = await aReferralShop();
    const code = await aReferrer(t);
    const storefront = { authorization: `Bearer ${t.publishableKey}` };

    const unknown = await t.gql(VISIT, { input: { code: 'NOPE2345' } }, storefront);
    const clicks = await Promise.all(Array.from({ length: 35 }, () => t.gql(VISIT, { input: { code } }, storefront)));
    t.clock.advance(60_000);
    const nextMinute = await t.gql(VISIT, { input: { code } }, storefront);

    expect(unknown.errors).toBeUndefined();
    expect(unknown.data!.referralVisitTrack.recorded).toBe(false);
    expect(clicks.filter((c) => c.data!.referralVisitTrack.recorded)).toHaveLength(30);
    expect(nextMinute.data!.referralVisitTrack.recorded).toBe(true);
    expect((await summary(t, 'referrer')).referral.visits).toBe(31);
  });

  it('costs two conditional writes per click and no read of the code', async () => {
    const t = await aReferralShop();
    const code = await aReferrer(t);
    const storefront = { authorization: `Bearer ${t.publishableKey}` };
    await t.gql(VISIT, { input: { code } }, storefront);
    const meter = newMeter();

    const res = await withMeter(meter, () => t.gql(VISIT, { input: { code } }, storefront));

    expect(res.data!.referralVisitTrack.recorded).toBe(true);
    expect(meter.byCommand).toEqual({ UpdateItemCommand: 2 });
  });

  it('means nothing in another shop (tenant isolation)', async () => {
    const shopA = await aReferralShop();
    const shopB = await aReferralShop();
    const codeOfB = await aReferrer(shopB, 'b-referrer');
    await aReferrer(shopA, 'a-referrer');

    const visit = await shopA.gql(VISIT, { input: { code: codeOfB } }, { authorization: `Bearer ${shopA.publishableKey}` });
    const apply = await shopA.gql(APPLY, { input: { code: codeOfB } });
    const order = await placeOrder(shopA, { customer: { externalId: 'friend' }, referralCode: codeOfB });

    expect(visit.data!.referralVisitTrack.recorded).toBe(false);
    expect(apply.data!.referralCodeApply).toMatchObject({ valid: false, reason: 'unknown code' });
    expect(await referralOf(shopA, order.orderId)).toMatchObject({ status: 'REJECTED', reason: 'UNKNOWN_CODE', referrer: null });
    expect((await summary(shopB, 'b-referrer')).referral.visits).toBe(0);
  });
});

describe('referee coupon before checkout', () => {
  it('gives a signed-in new customer one coupon, reused by their referral', async () => {
    const t = await aReferralShop();
    const code = await aReferrer(t);
    await t.gql(`mutation { customerUpsert(input: { externalId: "newbie", email: "newbie@example.com" }) { userErrors { message } } }`);
    const storefront = { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('newbie') };
    const own = { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('referrer') };

    const anonymous = await t.gql(APPLY, { input: { code } }, { authorization: `Bearer ${t.publishableKey}` });
    const first = await t.gql(APPLY, { input: { code } }, storefront);
    const second = await t.gql(APPLY, { input: { code: code.toLowerCase() } }, storefront);
    const self = await t.gql(APPLY, { input: { code } }, own);
    const order = await placeOrder(t, { customer: { externalId: 'newbie' }, referralCode: code });

    expect(anonymous.data!.referralCodeApply).toMatchObject({ valid: true, offer: { kind: 'FIXED_AMOUNT', value: 1000 }, coupon: null });
    expect(first.data!.referralCodeApply).toMatchObject({ valid: true, coupon: { status: 'ISSUED', value: 1000 } });
    expect(second.data!.referralCodeApply.coupon.code).toBe(first.data!.referralCodeApply.coupon.code);
    expect(self.data!.referralCodeApply).toMatchObject({ valid: false, coupon: null });
    expect((await referralOf(t, order.orderId))!.refereeCouponCode).toBe(first.data!.referralCodeApply.coupon.code);
  });
});

describe('fraud rules', () => {
  it.each<[string, Record<string, unknown>, (t: TestShop, code: string) => Promise<Record<string, unknown>>, string]>([
    ['a referrer using their own code', {}, async (_t, code) => ({ customer: { externalId: 'referrer' }, referralCode: code }), 'SELF_REFERRAL_CUSTOMER'],
    [
      'a second account with the same normalised email',
      {},
      async (_t, code) => ({ customer: { externalId: 'alias', email: 'Ref.Errer+alt@googlemail.com' }, referralCode: code }),
      'SELF_REFERRAL_EMAIL',
    ],
    [
      'a referee who ordered before',
      {},
      async (t, code) => {
        await placeOrder(t, { customer: { externalId: 'friend' }, placedAt: new Date(t.clock.now().getTime() - 5 * DAY).toISOString() });
        return { customer: { externalId: 'friend' }, referralCode: code };
      },
      'REFEREE_NOT_NEW',
    ],
    ['an unknown code', {}, async () => ({ customer: { externalId: 'friend' }, referralCode: 'ZZZZ2345' }), 'UNKNOWN_CODE'],
    [
      'a disabled program',
      {},
      async (t, code) => {
        await t.gql(PROGRAM, { input: { enabled: false } });
        return { customer: { externalId: 'friend' }, referralCode: code };
      },
      'PROGRAM_DISABLED',
    ],
    ['an order below the minimum', {}, async (_t, code) => ({ customer: { externalId: 'friend' }, referralCode: code, subtotal: 1000, shipping: 0 }), 'BELOW_MINIMUM_ORDER'],
  ])('rejects %s', async (_name, program, orderFor, reason) => {
    const t = await aReferralShop(program);
    const code = await aReferrer(t, 'referrer', 'refErrer@gmail.com');

    const order = await placeOrder(t, await orderFor(t, code));
    t.clock.advance(15 * DAY);
    await runReferralCompletion(t.clock);

    const referral = await referralOf(t, order.orderId);
    expect(referral).toMatchObject({ status: 'REJECTED', reason, refereeCouponCode: null });
    const filtered = await t.gql(REFERRALS, { filter: { status: 'REJECTED', reason } });
    expect(filtered.data!.referrals.nodes.map((r: any) => r.orderId)).toEqual([order.orderId]);
    expect(await pointsOf(t, 'referrer')).toBe(0);
  });

  it('rejects an expired code, and gives its owner a new one', async () => {
    const t = await aReferralShop({ codeValidityDays: 10 });
    const code = await aReferrer(t);
    t.clock.advance(11 * DAY);

    const order = await placeOrder(t, { customer: { externalId: 'friend' }, referralCode: code });
    const renewed = (await summary(t, 'referrer')).referral.code;
    const later = await placeOrder(t, { customer: { externalId: 'friend-2' }, referralCode: renewed });

    expect(await referralOf(t, order.orderId)).toMatchObject({ status: 'REJECTED', reason: 'CODE_EXPIRED' });
    expect(renewed).not.toBe(code);
    expect(await referralOf(t, later.orderId)).toMatchObject({ status: 'PENDING', referrer: { externalId: 'referrer' } });
  });

  it('rejects a second referral of the same referee (after their first order was cancelled)', async () => {
    const t = await aReferralShop();
    const code = await aReferrer(t);
    const first = await placeOrder(t, { customer: { externalId: 'friend' }, referralCode: code });
    await t.gql(CANCEL, { input: { orderId: first.orderId } });
    await stream.poller.drain();

    t.clock.advance(DAY);
    const second = await placeOrder(t, { customer: { externalId: 'friend' }, referralCode: code });

    expect(await referralOf(t, first.orderId)).toMatchObject({ status: 'REJECTED', reason: 'ORDER_CANCELLED' });
    expect(await referralOf(t, second.orderId)).toMatchObject({ status: 'REJECTED', reason: 'DUPLICATE_REFEREE', signals: { refereeEarlierOrders: 0 } });
  });

  it('rejects referrals beyond the monthly limit, also when they arrive at once', async () => {
    const t = await aReferralShop({ maxPerMonth: 2, velocityMax: 100 });
    const code = await aReferrer(t);

    const orders = Array.from({ length: 5 }, (_, i) => anOrder({ customer: { externalId: `friend-${i}` }, referralCode: code, placedAt: t.clock.now().toISOString() }));
    await Promise.all(orders.map((input) => t.gql(ORDER_RECORD, { input })));
    await stream.poller.drain();

    const referrals = await Promise.all(orders.map((o) => referralOf(t, o.orderId)));
    expect(referrals.filter((r) => r!.status === 'PENDING')).toHaveLength(2);
    expect(referrals.filter((r) => r!.status === 'REJECTED').map((r) => r!.reason)).toEqual(['MONTHLY_LIMIT_REACHED', 'MONTHLY_LIMIT_REACHED', 'MONTHLY_LIMIT_REACHED']);
  });

  it.each([
    ['shippingAddressHash', 'SHARED_SHIPPING_ADDRESS', 'sharedShippingAddress'],
    ['ipHash', 'SHARED_IP', 'sharedIp'],
    ['paymentFingerprintHash', 'SHARED_PAYMENT', 'sharedPayment'],
  ])('flags a referee sharing the referrer’s %s and never pays without an admin', async (field, reason, signal) => {
    const t = await aReferralShop();
    await placeOrder(t, { customer: { externalId: 'referrer' }, placedAt: new Date(t.clock.now().getTime() - 30 * DAY).toISOString(), riskSignals: { [field]: 'h-1' } });
    const code = (await summary(t, 'referrer')).referral.code;

    const order = await placeOrder(t, { customer: { externalId: 'friend' }, referralCode: code, riskSignals: { [field]: 'h-1' } });
    t.clock.advance(15 * DAY);
    await runReferralCompletion(t.clock);

    expect(await referralOf(t, order.orderId)).toMatchObject({ status: 'FLAGGED', reason, flags: [reason], signals: { [signal]: true }, refereeCouponCode: null });
    expect(await pointsOf(t, 'referrer')).toBe(0);
  });

  it('completes an approved flagged referral and pays once; rejects another by admin', async () => {
    const t = await aReferralShop({ velocityMax: 1, velocityWindowHours: 48 });
    const code = await aReferrer(t);
    const approved = await placeOrder(t, { customer: { externalId: 'friend-1' }, referralCode: code });
    const flagged = await placeOrder(t, { customer: { externalId: 'friend-2' }, referralCode: code });
    const rejected = await placeOrder(t, { customer: { externalId: 'friend-3' }, referralCode: code });
    t.clock.advance(15 * DAY);
    await runReferralCompletion(t.clock);

    const approve = await t.gql(DECIDE_APPROVE, { input: { orderId: flagged.orderId } });
    const approveAgain = await t.gql(DECIDE_APPROVE, { input: { orderId: flagged.orderId } });
    const reject = await t.gql(DECIDE_REJECT, { input: { orderId: rejected.orderId } });
    await runReferralCompletion(t.clock);

    expect((await referralOf(t, approved.orderId))!.status).toBe('COMPLETED');
    expect(await referralOf(t, flagged.orderId)).toMatchObject({ status: 'COMPLETED', reason: 'ADMIN_APPROVED', flags: ['VELOCITY'], signals: { referrerReferralsInVelocityWindow: 1 } });
    expect(approve.data!.referralApprove).toMatchObject({ referral: { status: 'COMPLETED', rewardPoints: 500 }, userErrors: [] });
    expect(approveAgain.data!.referralApprove.userErrors[0]).toMatchObject({ code: 'REFERRAL_NOT_REVIEWABLE', field: ['input', 'orderId'] });
    expect(reject.data!.referralReject).toMatchObject({ referral: { status: 'REJECTED', reason: 'ADMIN_REJECTED' }, userErrors: [] });
    expect(await pointsOf(t, 'referrer')).toBe(1000);
  });
});

describe('program statistics', () => {
  it('counts referrals by status and rejection reason over a period, with top referrers', async () => {
    const t = await aReferralShop({ velocityMax: 100 });
    const anna = await aReferrer(t, 'anna');
    const ben = await aReferrer(t, 'ben');
    await placeOrder(t, { customer: { externalId: 'f-1' }, referralCode: anna });
    await placeOrder(t, { customer: { externalId: 'f-2' }, referralCode: anna });
    await placeOrder(t, { customer: { externalId: 'f-3' }, referralCode: ben });
    await placeOrder(t, { customer: { externalId: 'f-4' }, referralCode: 'ZZZZ2345' });
    await placeOrder(t, { customer: { externalId: 'anna' }, referralCode: anna });
    const from = t.clock.now().toISOString();
    t.clock.advance(15 * DAY);
    await runReferralCompletion(t.clock);

    const res = await t.gql(STATS, { from, to: t.clock.now().toISOString() });
    const outside = await t.gql(STATS, { from: t.clock.now().toISOString(), to: t.clock.now().toISOString() });

    const stats = res.data!.referralStats;
    expect(stats.total).toBe(5);
    expect(count(stats.byStatus, 'COMPLETED')).toBe(3);
    expect(count(stats.byStatus, 'REJECTED')).toBe(2);
    expect(stats.byRejectionReason).toEqual(expect.arrayContaining([{ reason: 'UNKNOWN_CODE', count: 1 }, { reason: 'SELF_REFERRAL_CUSTOMER', count: 1 }]));
    expect(stats.topReferrers[0]).toEqual({ referrer: { externalId: 'anna' }, completed: 2, total: 3, rewardPoints: 1000 });
    expect(stats.topReferrers[1]).toEqual({ referrer: { externalId: 'ben' }, completed: 1, total: 1, rewardPoints: 500 });
    expect(outside.data!.referralStats.total).toBe(0);
  });

  it('pages through referrals, also filtered by referrer', async () => {
    const t = await aReferralShop({ velocityMax: 100 });
    const anna = await aReferrer(t, 'anna');
    const ben = await aReferrer(t, 'ben');
    for (let i = 0; i < 5; i++) await placeOrder(t, { customer: { externalId: `a-${i}` }, referralCode: anna });
    await placeOrder(t, { customer: { externalId: 'b-1' }, referralCode: ben });
    const annaId = (await summary(t, 'anna')).id;

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (await t.gql(REFERRALS, { filter: { referrer: annaId }, first: 2, after })).data!.referrals;
      seen.push(...page.nodes.map((r: any) => r.referee.externalId));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    const forged = await t.gql(REFERRALS, { first: 2, after: 'bm9wZQ.bad' });

    expect(seen.sort()).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4']);
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('socialShareRecord', () => {
  it('earns once per channel per day through the loyalty SOCIAL_SHARE rule', async () => {
    const t = await aReferralShop();
    await placeOrder(t, { customer: { externalId: 'anna' } });
    // A fresh token per call: the clock moves a day, further than a token lives.
    const share = async (channel: string) =>
      t.gql(SHARE, { input: { channel, url: 'https://shop.example/p/beans' } }, { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('anna') });

    const first = await share('facebook');
    const again = await share('Facebook');
    const other = await share('whatsapp');
    t.clock.advance(DAY);
    const nextDay = await share('facebook');

    expect(first.data!.socialShareRecord).toEqual({ pointsEarned: 25, replayed: false, userErrors: [] });
    expect(again.data!.socialShareRecord).toMatchObject({ pointsEarned: 25, replayed: true });
    expect(other.data!.socialShareRecord.pointsEarned).toBe(25);
    expect(nextDay.data!.socialShareRecord).toMatchObject({ pointsEarned: 25, replayed: false });
    expect(await pointsOf(t, 'anna')).toBe(75);
  });
});
