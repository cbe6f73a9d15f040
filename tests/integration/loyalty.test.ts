import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMeter, withMeter } from '../../lib/db/client.js';
import { loyaltyProjection, runLoyaltyExpiry, runTierReevaluation } from '../../lib/loyalty/index.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { aShop, anOrder, ORDER_RECORD, type TestShop } from '../fixtures/api.js';
import { feedStream } from '../fixtures/stream.js';

const DAY = 86_400_000;

// Only the loyalty projection: other domains' read models are not under test here.
const streamHandler = createStreamHandler([loyaltyProjection]);
const stream = feedStream(streamHandler);
const { delivered } = stream;

const PROGRAM_UPDATE = /* GraphQL */ `
  mutation ($input: LoyaltyProgramUpdateInput!) {
    loyaltyProgramUpdate(input: $input) { program { version enrollment pointsName } userErrors { field code message } }
  }
`;
const ACCOUNT = /* GraphQL */ `
  query ($externalId: String!) {
    customerByExternalId(externalId: $externalId) {
      id
      loyalty {
        joined
        balance { available pending lifetimeEarned lifetimeSpent shortfall }
        tier { currentTier { id } nextTier { id } progressValue amountToNextTier }
        entries(first: 20) { nodes { type points reason sourceType sourceId shortfall } pageInfo { hasNextPage } }
      }
    }
  }
`;
const REWARD_CREATE = /* GraphQL */ `
  mutation ($input: LoyaltyRewardCreateInput!) {
    loyaltyRewardCreate(input: $input) { reward { rewardId pointsCost status } userErrors { field code message } }
  }
`;
const REDEEM = /* GraphQL */ `
  mutation ($input: LoyaltyRewardRedeemInput!) {
    loyaltyRewardRedeem(input: $input) { replayed coupon { code status pointsSpent kind value } userErrors { field code message } }
  }
`;
const ADJUST = /* GraphQL */ `
  mutation ($input: LoyaltyPointsAdjustInput!) {
    loyaltyPointsAdjust(input: $input) { points replayed account { balance { available } } userErrors { field code message } }
  }
`;
const ACTION = /* GraphQL */ `
  mutation ($input: LoyaltyActionRecordInput!) {
    loyaltyActionRecord(input: $input) { pointsEarned replayed userErrors { field code message } }
  }
`;
const JOIN = /* GraphQL */ `
  mutation ($input: LoyaltyJoinInput!) {
    loyaltyJoin(input: $input) { account { joined balance { available pending } } userErrors { field code message } }
  }
`;
const REFUND = /* GraphQL */ `
  mutation ($input: OrderRefundInput!) { orderRefund(input: $input) { userErrors { field code message } } }
`;
const CANCEL = /* GraphQL */ `
  mutation ($input: OrderCancelInput!) { orderCancel(input: $input) { userErrors { field code message } } }
`;
const VALIDATE = /* GraphQL */ `
  query ($input: LoyaltyCouponValidateInput!) { loyaltyCouponValidate(input: $input) { valid reason coupon { code status orderId } } }
`;
const MARK_USED = /* GraphQL */ `
  mutation ($input: LoyaltyCouponMarkUsedInput!) { loyaltyCouponMarkUsed(input: $input) { coupon { status orderId } userErrors { field code message } } }
`;

/** A shop with a program: 1 point per euro of subtotal, 14 pending days unless overridden. */
async function aLoyaltyShop(program: Record<string, unknown> = {}): Promise<TestShop> {
  const t = await aShop();
  const res = await t.gql(PROGRAM_UPDATE, { input: { pointsPerUnit: 1, pendingDays: 14, ...program } });
  expect(res.data!.loyaltyProgramUpdate.userErrors).toEqual([]);
  return t;
}

/** Records an order through the API and feeds the stream; returns the order input. */
async function placeOrder(t: TestShop, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const input = anOrder(overrides);
  const res = await t.gql(ORDER_RECORD, { input });
  expect(res.data!.orderRecord.userErrors).toEqual([]);
  await stream.poller.drain();
  return input;
}

async function account(t: TestShop, externalId: string) {
  const res = await t.gql(ACCOUNT, { externalId });
  expect(res.errors).toBeUndefined();
  return res.data!.customerByExternalId as { id: string; loyalty: Record<string, any> };
}

async function customerId(t: TestShop, externalId: string): Promise<string> {
  return (await account(t, externalId)).id;
}

/** Gives a customer `points` available at once (an admin credit). */
async function credit(t: TestShop, externalId: string, points: number, key = `credit-${externalId}-${points}`): Promise<void> {
  const res = await t.gql(ADJUST, { input: { customer: await customerId(t, externalId), points, reason: 'test credit', idempotencyKey: key } });
  expect(res.data!.loyaltyPointsAdjust.userErrors).toEqual([]);
}

async function aReward(t: TestShop, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await t.gql(REWARD_CREATE, { input: { name: '5 EUR off', kind: 'FIXED_AMOUNT', value: 500, pointsCost: 100, ...overrides } });
  expect(res.data!.loyaltyRewardCreate.userErrors).toEqual([]);
  return res.data!.loyaltyRewardCreate.reward.rewardId;
}

const hoursBefore = (t: TestShop, hours: number) => new Date(t.clock.now().getTime() - hours * 3_600_000).toISOString();

describe('earning from orders', () => {
  it('earns rate x eligible amount, pending until the return window ends', async () => {
    const t = await aLoyaltyShop();
    await placeOrder(t, { customer: { externalId: 'ann' }, subtotal: 5_000, shipping: 500, placedAt: hoursBefore(t, 1) });

    const pending = (await account(t, 'ann')).loyalty;
    t.clock.advance(14 * DAY);
    const later = (await account(t, 'ann')).loyalty;

    expect(pending.balance).toEqual({ available: 0, pending: 50, lifetimeEarned: 50, lifetimeSpent: 0, shortfall: 0 });
    expect(pending.entries.nodes).toEqual([{ type: 'EARN', points: 50, reason: 'ORDER', sourceType: 'ORDER', sourceId: expect.any(String), shortfall: 0 }]);
    expect(later.balance).toMatchObject({ available: 50, pending: 0 });
  });

  it('includes shipping when the program says so, and rounds as configured', async () => {
    const t = await aLoyaltyShop({ includeShipping: true, pointsPerUnit: 0.5, rounding: 'CEIL' });

    await placeOrder(t, { customer: { externalId: 'ben' }, subtotal: 5_000, shipping: 499 });

    expect((await account(t, 'ben')).loyalty.balance.lifetimeEarned).toBe(28);
  });

  it('earns each order once when the stream redelivers its batches', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    delivered.length = 0;
    await placeOrder(t, { customer: { externalId: 'cara' }, subtotal: 3_000 });
    await placeOrder(t, { customer: { externalId: 'cara' }, subtotal: 2_000 });

    for (const event of [...delivered]) await streamHandler(event);
    await Promise.all(delivered.map((event) => streamHandler(event)));

    const loyalty = (await account(t, 'cara')).loyalty;
    expect(loyalty.balance).toMatchObject({ available: 50, lifetimeEarned: 50 });
    expect(loyalty.entries.nodes).toHaveLength(2);
  });

  it('earns once when the same order is recorded twice', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    const input = anOrder({ customer: { externalId: 'dan' } });

    await Promise.all([t.gql(ORDER_RECORD, { input }), t.gql(ORDER_RECORD, { input })]);
    await stream.poller.drain();

    expect((await account(t, 'dan')).loyalty.balance.available).toBe(50);
  });

  it('grants the FIRST_ORDER bonus on the first order only', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0, actions: [{ action: 'FIRST_ORDER', points: 25, limits: [{ type: 'ONCE_EVER' }] }] });

    await placeOrder(t, { customer: { externalId: 'fay' }, subtotal: 1_000, placedAt: '2026-02-01T10:00:00Z' });
    await placeOrder(t, { customer: { externalId: 'fay' }, subtotal: 1_000, placedAt: '2026-02-02T10:00:00Z' });

    expect((await account(t, 'fay')).loyalty.balance.available).toBe(10 + 25 + 10);
  });
});

describe('refund and cancellation clawback', () => {
  it('takes back points in proportion to a partial refund, then the rest on a full refund', async () => {
    const t = await aLoyaltyShop();
    const order = await placeOrder(t, { customer: { externalId: 'gil' }, subtotal: 5_000, shipping: 500, placedAt: hoursBefore(t, 1) });

    await t.gql(REFUND, { input: { orderId: order.orderId, refundId: 'r1', amount: 2_500 } });
    await stream.poller.drain();
    const afterPartial = (await account(t, 'gil')).loyalty.balance;
    await t.gql(REFUND, { input: { orderId: order.orderId, refundId: 'r2', amount: 3_000 } });
    await stream.poller.drain();
    const afterFull = (await account(t, 'gil')).loyalty;

    expect(afterPartial).toMatchObject({ pending: 25, lifetimeEarned: 25 });
    expect(afterFull.balance).toMatchObject({ available: 0, pending: 0, lifetimeEarned: 0, shortfall: 0 });
    expect(afterFull.entries.nodes.map((e: { type: string; points: number }) => [e.type, e.points])).toEqual([
      ['REVERSE', -25],
      ['REVERSE', -25],
      ['EARN', 50],
    ]);
  });

  it('takes back everything not yet taken when the order is cancelled', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    const order = await placeOrder(t, { customer: { externalId: 'hal' }, subtotal: 4_000 });
    await t.gql(REFUND, { input: { orderId: order.orderId, refundId: 'r1', amount: 1_000 } });
    await stream.poller.drain();

    await t.gql(CANCEL, { input: { orderId: order.orderId } });
    await stream.poller.drain();

    expect((await account(t, 'hal')).loyalty.balance).toMatchObject({ available: 0, lifetimeEarned: 0 });
  });

  it('records a shortfall when the points were already spent, and repays it from the next earn', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    const order = await placeOrder(t, { customer: { externalId: 'ida' }, subtotal: 10_000, shipping: 0 });
    const rewardId = await aReward(t, { pointsCost: 80 });
    const redeemed = await t.gql(REDEEM, { input: { customer: await customerId(t, 'ida'), rewardId } });
    expect(redeemed.data!.loyaltyRewardRedeem.userErrors).toEqual([]);

    await t.gql(REFUND, { input: { orderId: order.orderId, refundId: 'r1', amount: 10_000 } });
    await stream.poller.drain();
    const afterRefund = (await account(t, 'ida')).loyalty.balance;
    await placeOrder(t, { customer: { externalId: 'ida' }, subtotal: 5_000, placedAt: t.clock.now().toISOString() });
    const afterNextOrder = (await account(t, 'ida')).loyalty;

    expect(afterRefund).toMatchObject({ available: 0, shortfall: 80, lifetimeSpent: 80 });
    expect(afterNextOrder.balance).toMatchObject({ available: 0, shortfall: 30 });
    expect(afterNextOrder.entries.nodes[0]).toMatchObject({ type: 'REVERSE', reason: 'SHORTFALL_REPAID', points: -50, shortfall: -50 });
  });

  it('takes back a refund once when it is redelivered', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    const order = await placeOrder(t, { customer: { externalId: 'jo' }, subtotal: 5_000 });
    delivered.length = 0;
    await t.gql(REFUND, { input: { orderId: order.orderId, refundId: 'r1', amount: 1_000 } });
    await stream.poller.drain();

    await Promise.all([...delivered, ...delivered].map((event) => streamHandler(event)));

    expect((await account(t, 'jo')).loyalty.balance.available).toBe(40);
  });
  it('takes back a cancellation once when it is redelivered', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await placeOrder(t, { customer: { externalId: 'kai' }, subtotal: 2_000 });
    const order = await placeOrder(t, { customer: { externalId: 'kai' }, subtotal: 5_000 });
    delivered.length = 0;
    await t.gql(CANCEL, { input: { orderId: order.orderId } });
    await stream.poller.drain();

    await Promise.all([...delivered, ...delivered].map((event) => streamHandler(event)));

    const loyalty = (await account(t, 'kai')).loyalty;
    expect(loyalty.balance).toMatchObject({ available: 20, lifetimeEarned: 20 });
    expect(loyalty.entries.nodes.filter((e: { type: string }) => e.type === 'REVERSE')).toHaveLength(1);
  });
});

describe('enrollment', () => {
  it('earns nothing under OPT_IN before the customer joins, and earns after', async () => {
    const t = await aLoyaltyShop({ enrollment: 'OPT_IN', pendingDays: 0, actions: [{ action: 'SIGNUP', points: 5 }] });
    await placeOrder(t, { customer: { externalId: 'kim' }, subtotal: 2_000, placedAt: hoursBefore(t, 2) });
    const before = (await account(t, 'kim')).loyalty;

    const joined = await t.gql(JOIN, { input: { customer: await customerId(t, 'kim') } });
    const joinedAgain = await t.gql(JOIN, { input: { customer: await customerId(t, 'kim') } });
    await placeOrder(t, { customer: { externalId: 'kim' }, subtotal: 3_000, placedAt: t.clock.now().toISOString() });

    expect(before).toMatchObject({ joined: false, balance: { available: 0, lifetimeEarned: 0 } });
    expect(joined.data!.loyaltyJoin).toMatchObject({ userErrors: [], account: { joined: true, balance: { available: 5 } } });
    expect(joinedAgain.data!.loyaltyJoin.account.balance.available).toBe(5);
    expect((await account(t, 'kim')).loyalty.balance.available).toBe(35);
  });

  it('earns base points under HYBRID without joining, but needs joining for tiers and rewards', async () => {
    const t = await aLoyaltyShop({ enrollment: 'HYBRID', pendingDays: 0 });
    await t.gql(
      `mutation ($input: LoyaltyTierConfigInput!) { loyaltyTiersApply(input: $input) { userErrors { message } } }`,
      { input: { metric: 'POINTS_EARNED', window: 'LIFETIME', tiers: [{ id: 'silver', name: 'Silver', entryThreshold: 100, multiplier: 2 }] } },
    );
    await placeOrder(t, { customer: { externalId: 'hue' }, subtotal: 20_000, placedAt: '2026-02-01T10:00:00Z' });
    const customer = await customerId(t, 'hue');
    const rewardId = await aReward(t);

    const beforeJoin = (await account(t, 'hue')).loyalty;
    const refused = await t.gql(REDEEM, { input: { customer, rewardId } });
    await t.gql(JOIN, { input: { customer } });
    await placeOrder(t, { customer: { externalId: 'hue' }, subtotal: 1_000, placedAt: t.clock.now().toISOString() });
    const redeemed = await t.gql(REDEEM, { input: { customer, rewardId } });

    expect(beforeJoin).toMatchObject({ joined: false, balance: { available: 200 }, tier: { currentTier: null } });
    expect(refused.data!.loyaltyRewardRedeem.userErrors).toMatchObject([{ code: 'NOT_A_MEMBER' }]);
    expect(redeemed.data!.loyaltyRewardRedeem.userErrors).toEqual([]);
    expect((await account(t, 'hue')).loyalty).toMatchObject({ joined: true, tier: { currentTier: { id: 'silver' } }, balance: { available: 200 + 20 - 100 } });
  });

  it('ignores refunds of orders that earned nothing', async () => {
    const t = await aLoyaltyShop({ enrollment: 'OPT_IN' });
    const order = await placeOrder(t, { customer: { externalId: 'ivo' } });

    const refund = await t.gql(REFUND, { input: { orderId: order.orderId, refundId: 'r1', amount: 1_000 } });
    const drained = await stream.poller.drain();

    expect(refund.data!.orderRefund.userErrors).toEqual([]);
    expect(drained).toBeGreaterThan(0);
    expect((await account(t, 'ivo')).loyalty.balance).toMatchObject({ available: 0, shortfall: 0 });
  });

  it('lets a storefront customer join with their token', async () => {
    const t = await aLoyaltyShop({ enrollment: 'OPT_IN' });
    await placeOrder(t, { customer: { externalId: 'lia' } });
    const headers = { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('lia') };

    const res = await t.gql(JOIN, { input: {} }, headers);

    expect(res.data!.loyaltyJoin).toMatchObject({ userErrors: [], account: { joined: true } });
  });
});

describe('program', () => {
  it('answers CONFLICT for an update over a stale version and keeps the newer one', async () => {
    const t = await aLoyaltyShop({ pointsName: 'Sterne' });

    const stale = await t.gql(PROGRAM_UPDATE, { input: { pointsName: 'Punkte', expectedVersion: 0 } });
    const fresh = await t.gql(PROGRAM_UPDATE, { input: { pointsName: 'Punkte', expectedVersion: 1 } });

    expect(stale.data!.loyaltyProgramUpdate.userErrors).toMatchObject([{ code: 'CONFLICT', field: ['input', 'expectedVersion'] }]);
    expect(fresh.data!.loyaltyProgramUpdate).toMatchObject({ userErrors: [], program: { version: 2, pointsName: 'Punkte' } });
  });

  it.each([
    ['a negative earn rate', { pointsPerUnit: -1 }, ['input', 'pointsPerUnit']],
    ['AFTER_DAYS without days', { expiry: { type: 'AFTER_DAYS' } }, ['input', 'expiry', 'days']],
    ['an unknown action', { actions: [{ action: 'DANCE', points: 5 }] }, ['input', 'actions', '0', 'action']],
  ])('refuses %s with the field path', async (_name, input, field) => {
    const t = await aShop();

    const res = await t.gql(PROGRAM_UPDATE, { input });

    expect(res.data!.loyaltyProgramUpdate.userErrors).toMatchObject([{ code: 'INVALID', field }]);
  });

  it('needs LOYALTY_WRITE to change points and LOYALTY_READ to read the program', async () => {
    const t = await aLoyaltyShop();
    await placeOrder(t, { customer: { externalId: 'jay' } });
    const customer = await customerId(t, 'jay');
    const readOnly = { authorization: `Bearer ${await t.keyWith(['LOYALTY_READ'])}` };
    const ordersOnly = { authorization: `Bearer ${await t.keyWith(['ORDERS_READ'])}` };

    const adjust = await t.gql(ADJUST, { input: { customer, points: 5, reason: 'x', idempotencyKey: 'k' } }, readOnly);
    const program = await t.gql(`{ loyaltyProgram { pointsPerUnit } }`, {}, readOnly);
    const denied = await t.gql(`{ loyaltyProgram { pointsPerUnit } }`, {}, ordersOnly);

    expect(adjust.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(program.data!.loyaltyProgram).toEqual({ pointsPerUnit: 1 });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('action bonuses and adjustments', () => {
  it('earns an action once per idempotency key and within its limits', async () => {
    const t = await aLoyaltyShop({ actions: [{ action: 'REVIEW', points: 10, limits: [{ type: 'PER_DAY', max: 2 }] }] });
    await placeOrder(t, { customer: { externalId: 'max' } });
    const customer = await customerId(t, 'max');
    const record = (key: string) => t.gql(ACTION, { input: { customer, action: 'REVIEW', idempotencyKey: key } });

    const first = await record('review-1');
    const replay = await Promise.all([record('review-1'), record('review-1')]);
    const second = await record('review-2');
    const third = await record('review-3');

    expect(first.data!.loyaltyActionRecord).toMatchObject({ pointsEarned: 10, replayed: false, userErrors: [] });
    expect(replay.map((r) => r.data!.loyaltyActionRecord.pointsEarned)).toEqual([10, 10]);
    expect(second.data!.loyaltyActionRecord.pointsEarned).toBe(10);
    expect(third.data!.loyaltyActionRecord.userErrors).toMatchObject([{ code: 'LIMIT_REACHED', field: ['input', 'action'] }]);
    expect((await account(t, 'max')).loyalty.balance.available).toBe(50 + 20);
  });

  it('applies an adjustment once per idempotency key, even concurrently', async () => {
    const t = await aLoyaltyShop();
    await placeOrder(t, { customer: { externalId: 'ned' }, placedAt: hoursBefore(t, 1) });
    const customer = await customerId(t, 'ned');

    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.gql(ADJUST, { input: { customer, points: 30, reason: 'goodwill', idempotencyKey: 'adj-1' } })),
    );
    const deduction = await t.gql(ADJUST, { input: { customer, points: -100, reason: 'too much', idempotencyKey: 'adj-2' } });

    expect(results.every((r) => r.data!.loyaltyPointsAdjust.userErrors.length === 0)).toBe(true);
    expect(results.filter((r) => !r.data!.loyaltyPointsAdjust.replayed)).toHaveLength(1);
    expect(deduction.data!.loyaltyPointsAdjust.userErrors).toMatchObject([{ code: 'INSUFFICIENT_POINTS' }]);
    expect((await account(t, 'ned')).loyalty.balance).toMatchObject({ available: 30, pending: 50 });
  });
});

describe('redemption', () => {
  it('gives exactly 5 coupons to 50 concurrent redemptions on a balance covering 5', async () => {
    const t = await aLoyaltyShop();
    await placeOrder(t, { customer: { externalId: 'ola' } });
    await credit(t, 'ola', 500 - 50);
    const rewardId = await aReward(t, { pointsCost: 100 });
    const customer = await customerId(t, 'ola');
    t.clock.advance(30 * DAY);

    const results = await Promise.all(Array.from({ length: 50 }, () => t.gql(REDEEM, { input: { customer, rewardId } })));

    const payloads = results.map((r) => r.data!.loyaltyRewardRedeem);
    const coupons = payloads.filter((p) => p.coupon).map((p) => p.coupon.code);
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(coupons).toHaveLength(5);
    expect(new Set(coupons).size).toBe(5);
    expect(payloads.filter((p) => !p.coupon).every((p) => p.userErrors[0].code === 'INSUFFICIENT_POINTS')).toBe(true);
    expect((await account(t, 'ola')).loyalty.balance).toMatchObject({ available: 0, lifetimeSpent: 500 });
  });

  it('returns the first coupon for a repeated idempotency key and deducts once', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await placeOrder(t, { customer: { externalId: 'pia' }, subtotal: 30_000 });
    const rewardId = await aReward(t, { pointsCost: 100 });
    const customer = await customerId(t, 'pia');

    const results = await Promise.all(Array.from({ length: 4 }, () => t.gql(REDEEM, { input: { customer, rewardId, idempotencyKey: 'redeem-1' } })));

    const codes = new Set(results.map((r) => r.data!.loyaltyRewardRedeem.coupon?.code));
    expect(codes.size).toBe(1);
    expect([...codes][0]).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    expect((await account(t, 'pia')).loyalty.balance.available).toBe(200);
  });

  it('creates a reward once per idempotency key and updates it without touching issued coupons', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await placeOrder(t, { customer: { externalId: 'ron' }, subtotal: 50_000 });
    const input = { name: 'Free shipping', kind: 'FREE_SHIPPING', pointsCost: 150, idempotencyKey: 'ship-1' };
    const [first, second] = await Promise.all([t.gql(REWARD_CREATE, { input }), t.gql(REWARD_CREATE, { input })]);
    const rewardId = first.data!.loyaltyRewardCreate.reward.rewardId;
    const redeemed = await t.gql(REDEEM, { input: { customer: await customerId(t, 'ron'), rewardId } });

    const updated = await t.gql(
      `mutation ($input: LoyaltyRewardUpdateInput!) { loyaltyRewardUpdate(input: $input) { reward { pointsCost name } userErrors { field code } } }`,
      { input: { rewardId, pointsCost: 200 } },
    );
    const rewards = await t.gql(`{ loyaltyRewards { rewardId } }`);

    expect(second.data!.loyaltyRewardCreate.reward.rewardId).toBe(rewardId);
    expect(rewards.data!.loyaltyRewards).toEqual([{ rewardId }]);
    expect(updated.data!.loyaltyRewardUpdate).toEqual({ reward: { pointsCost: 200, name: 'Free shipping' }, userErrors: [] });
    expect(redeemed.data!.loyaltyRewardRedeem.coupon).toMatchObject({ pointsSpent: 150, kind: 'FREE_SHIPPING' });
  });

  it('refuses an archived reward and one out of stock', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await placeOrder(t, { customer: { externalId: 'quin' }, subtotal: 50_000 });
    const customer = await customerId(t, 'quin');
    const archived = await aReward(t);
    await t.gql(`mutation ($id: String!) { loyaltyRewardArchive(input: { rewardId: $id }) { userErrors { code } } }`, { id: archived });
    const scarce = await aReward(t, { stock: 1 });

    const onArchived = await t.gql(REDEEM, { input: { customer, rewardId: archived } });
    const firstScarce = await t.gql(REDEEM, { input: { customer, rewardId: scarce } });
    const secondScarce = await t.gql(REDEEM, { input: { customer, rewardId: scarce } });

    expect(onArchived.data!.loyaltyRewardRedeem.userErrors).toMatchObject([{ code: 'REWARD_UNAVAILABLE', field: ['input', 'rewardId'] }]);
    expect(firstScarce.data!.loyaltyRewardRedeem.userErrors).toEqual([]);
    expect(secondScarce.data!.loyaltyRewardRedeem.userErrors).toMatchObject([{ code: 'REWARD_UNAVAILABLE' }]);
    expect((await account(t, 'quin')).loyalty.balance.available).toBe(400);
  });
});

describe('coupons', () => {
  it('validates a coupon and marks it used once per order id', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await placeOrder(t, { customer: { externalId: 'ray' }, subtotal: 20_000 });
    const rewardId = await aReward(t, { minimumOrderAmount: 3_000 });
    const redeemed = await t.gql(REDEEM, { input: { customer: await customerId(t, 'ray'), rewardId } });
    const code = redeemed.data!.loyaltyRewardRedeem.coupon.code as string;

    const valid = await t.gql(VALIDATE, { input: { code, orderAmount: 4_000 } });
    const tooSmall = await t.gql(VALIDATE, { input: { code, orderAmount: 2_000 } });
    const used = await t.gql(MARK_USED, { input: { code, orderId: 'A-1' } });
    const again = await t.gql(MARK_USED, { input: { code, orderId: 'A-1' } });
    const elsewhere = await t.gql(MARK_USED, { input: { code, orderId: 'A-2' } });
    const afterUse = await t.gql(VALIDATE, { input: { code } });

    expect(valid.data!.loyaltyCouponValidate).toMatchObject({ valid: true, reason: null, coupon: { code, status: 'ISSUED' } });
    expect(tooSmall.data!.loyaltyCouponValidate.valid).toBe(false);
    expect(used.data!.loyaltyCouponMarkUsed).toMatchObject({ userErrors: [], coupon: { status: 'USED', orderId: 'A-1' } });
    expect(again.data!.loyaltyCouponMarkUsed).toMatchObject({ userErrors: [], coupon: { status: 'USED', orderId: 'A-1' } });
    expect(elsewhere.data!.loyaltyCouponMarkUsed.userErrors).toMatchObject([{ code: 'COUPON_INVALID', field: ['input', 'code'] }]);
    expect(afterUse.data!.loyaltyCouponValidate).toMatchObject({ valid: false, coupon: { status: 'USED' } });
  });

  it('lets only one of several concurrent orders use a coupon', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await placeOrder(t, { customer: { externalId: 'rex' }, subtotal: 20_000 });
    const rewardId = await aReward(t);
    const redeemed = await t.gql(REDEEM, { input: { customer: await customerId(t, 'rex'), rewardId } });
    const code = redeemed.data!.loyaltyRewardRedeem.coupon.code as string;

    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => t.gql(MARK_USED, { input: { code, orderId: `B-${i}` } })));

    expect(results.filter((r) => r.data!.loyaltyCouponMarkUsed.userErrors.length === 0)).toHaveLength(1);
  });

  it('does not find a coupon from another shop', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    const other = await aLoyaltyShop();
    await placeOrder(t, { customer: { externalId: 'sue' }, subtotal: 20_000 });
    const rewardId = await aReward(t);
    const redeemed = await t.gql(REDEEM, { input: { customer: await customerId(t, 'sue'), rewardId } });
    const code = redeemed.data!.loyaltyRewardRedeem.coupon.code as string;

    const validated = await other.gql(VALIDATE, { input: { code } });
    const marked = await other.gql(MARK_USED, { input: { code, orderId: 'X-1' } });

    expect(validated.data!.loyaltyCouponValidate).toEqual({ valid: false, reason: 'unknown code', coupon: null });
    expect(marked.data!.loyaltyCouponMarkUsed.userErrors).toMatchObject([{ code: 'COUPON_INVALID' }]);
    expect((await t.gql(VALIDATE, { input: { code } })).data!.loyaltyCouponValidate.valid).toBe(true);
  });
});

describe('tiers', () => {
  const tiers = { metric: 'POINTS_EARNED', window: 'CALENDAR_YEAR', tiers: [{ id: 'silver', name: 'Silver', entryThreshold: 100, retainThreshold: 50, multiplier: 1.5 }] };
  const TIERS_APPLY = /* GraphQL */ `
    mutation ($input: LoyaltyTierConfigInput!) { loyaltyTiersApply(input: $input) { program { tierConfig { version } } preview { movingUpCount } userErrors { field code message } } }
  `;

  it.each([
    [9_900, null],
    [10_000, 'silver'],
  ])('after an order of %i minor units holds tier %s', async (subtotal, tier) => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await t.gql(TIERS_APPLY, { input: tiers });

    await placeOrder(t, { customer: { externalId: 'tom' }, subtotal });

    expect((await account(t, 'tom')).loyalty.tier.currentTier?.id ?? null).toBe(tier);
  });

  it('applies the tier multiplier to orders after the upgrade', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await t.gql(TIERS_APPLY, { input: tiers });
    await placeOrder(t, { customer: { externalId: 'uma' }, subtotal: 10_000, placedAt: '2026-02-01T10:00:00Z' });

    await placeOrder(t, { customer: { externalId: 'uma' }, subtotal: 1_000, placedAt: '2026-02-02T10:00:00Z' });

    expect((await account(t, 'uma')).loyalty.balance.available).toBe(100 + 15);
  });

  it('previews and applies a tier change: upgrades now, counts who moves', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await placeOrder(t, { customer: { externalId: 'vic' }, subtotal: 20_000 });
    await placeOrder(t, { customer: { externalId: 'wes' }, subtotal: 5_000 });

    const preview = await t.gql(`query ($input: LoyaltyTierConfigInput!) { loyaltyTiersPreview(input: $input) { movingUpCount movingDownCount unchangedCount } }`, { input: tiers });
    const applied = await t.gql(TIERS_APPLY, { input: tiers });

    expect(preview.data!.loyaltyTiersPreview).toEqual({ movingUpCount: 1, movingDownCount: 0, unchangedCount: 1 });
    expect(applied.data!.loyaltyTiersApply).toMatchObject({ userErrors: [], program: { tierConfig: { version: 1 } }, preview: { movingUpCount: 1 } });
    expect((await account(t, 'vic')).loyalty.tier.currentTier.id).toBe('silver');
    expect((await account(t, 'wes')).loyalty.tier.currentTier).toBeNull();
  });

  it('downgrades only when the window ends below the retain threshold', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await t.gql(TIERS_APPLY, { input: tiers });
    await placeOrder(t, { customer: { externalId: 'xia' }, subtotal: 10_000, placedAt: '2026-02-01T10:00:00Z' });

    t.clock.set('2027-06-01T00:00:00Z');
    await runTierReevaluation(t.clock);
    const midWindow = (await account(t, 'xia')).loyalty.tier.currentTier?.id ?? null;
    t.clock.set('2028-01-01T00:00:00Z');
    await runTierReevaluation(t.clock);
    await runTierReevaluation(t.clock);

    expect(midWindow).toBe('silver');
    expect((await account(t, 'xia')).loyalty.tier.currentTier).toBeNull();
  });
});

describe('expiry', () => {
  it('expires lots N days after they were earned, once, with an injected clock', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0, expiry: { type: 'AFTER_DAYS', days: 30 } });
    await placeOrder(t, { customer: { externalId: 'yan' }, subtotal: 4_000, placedAt: hoursBefore(t, 1) });
    t.clock.advance(10 * DAY);
    await placeOrder(t, { customer: { externalId: 'yan' }, subtotal: 2_000, placedAt: hoursBefore(t, 1) });

    t.clock.advance(21 * DAY);
    await runLoyaltyExpiry(t.clock);
    await runLoyaltyExpiry(t.clock);
    const loyalty = (await account(t, 'yan')).loyalty;

    expect(loyalty.balance).toMatchObject({ available: 20, lifetimeEarned: 60 });
    expect(loyalty.entries.nodes.filter((e: { type: string }) => e.type === 'EXPIRE')).toEqual([
      expect.objectContaining({ type: 'EXPIRE', points: -40, reason: 'LOT_EXPIRED' }),
    ]);
  });

  it('expires everything after the inactivity period', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0, expiry: { type: 'INACTIVITY', days: 90 } });
    await placeOrder(t, { customer: { externalId: 'zed' }, subtotal: 4_000, placedAt: hoursBefore(t, 1) });

    t.clock.advance(89 * DAY);
    await runLoyaltyExpiry(t.clock);
    const before = (await account(t, 'zed')).loyalty.balance.available;
    t.clock.advance(1 * DAY);
    await runLoyaltyExpiry(t.clock);

    expect(before).toBe(40);
    expect((await account(t, 'zed')).loyalty.balance.available).toBe(0);
  });
});

describe('storefront statement', () => {
  const STATEMENT = /* GraphQL */ `
    query ($cart: LoyaltyCartInput!) {
      me {
        loyalty {
          pointsName
          balance { available pending }
          pointsExpiringSoon(withinDays: 60) { date points }
          tier { currentTier { id } nextTier { id } amountToNextTier }
          rewards { reward { rewardId pointsCost } affordable eligible pointsMissing }
          entries(first: 5) { nodes { type points } }
        }
      }
      loyaltyEarnPreview(cart: $cart) { basePoints points multiplier eligibleAmount { amount } }
    }
  `;

  it('shows the signed-in customer their statement and an earn preview', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0, pointsName: 'Sterne', expiry: { type: 'AFTER_DAYS', days: 45 } });
    await t.gql(
      `mutation ($input: LoyaltyTierConfigInput!) { loyaltyTiersApply(input: $input) { userErrors { message } } }`,
      { input: { metric: 'POINTS_EARNED', window: 'LIFETIME', tiers: [{ id: 'gold', name: 'Gold', entryThreshold: 500 }] } },
    );
    await placeOrder(t, { customer: { externalId: 'amy' }, subtotal: 15_000, placedAt: hoursBefore(t, 1) });
    const cheap = await aReward(t, { pointsCost: 100 });
    const dear = await aReward(t, { pointsCost: 400 });
    const headers = { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('amy') };

    const res = await t.gql(STATEMENT, { cart: { subtotal: 2_000 } }, headers);

    expect(res.errors).toBeUndefined();
    expect(res.data!.me.loyalty).toEqual({
      pointsName: 'Sterne',
      balance: { available: 150, pending: 0 },
      pointsExpiringSoon: [{ date: expect.any(String), points: 150 }],
      tier: { currentTier: null, nextTier: { id: 'gold' }, amountToNextTier: 350 },
      rewards: [
        { reward: { rewardId: cheap, pointsCost: 100 }, affordable: true, eligible: true, pointsMissing: 0 },
        { reward: { rewardId: dear, pointsCost: 400 }, affordable: false, eligible: true, pointsMissing: 250 },
      ],
      entries: { nodes: [{ type: 'EARN', points: 150 }] },
    });
    expect(res.data!.loyaltyEarnPreview).toEqual({ basePoints: 20, points: 20, multiplier: 1, eligibleAmount: { amount: 2_000 } });
  });

  it("never shows another customer's statement, nor redeems from their balance", async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await placeOrder(t, { customer: { externalId: 'bea' }, subtotal: 30_000 });
    await placeOrder(t, { customer: { externalId: 'cal' }, subtotal: 1_000 });
    const rewardId = await aReward(t);
    const calHeaders = { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('cal') };
    const beaId = await customerId(t, 'bea');

    const statement = await t.gql(`{ me { loyalty { balance { available } } } }`, {}, calHeaders);
    const direct = await t.gql(`query ($id: ID!) { customer(id: $id) { loyalty { balance { available } } } }`, { id: beaId }, calHeaders);
    const redeem = await t.gql(REDEEM, { input: { customer: beaId, rewardId } }, calHeaders);

    expect(statement.data!.me.loyalty.balance.available).toBe(10);
    expect(direct.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(redeem.data!.loyaltyRewardRedeem.userErrors).toMatchObject([{ code: 'NOT_FOUND' }]);
    expect((await account(t, 'bea')).loyalty.balance.available).toBe(300);
  });

  it('reads the whole statement in as many DynamoDB requests as one field of it, and an earn preview writes nothing', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await t.gql(
      `mutation ($input: LoyaltyTierConfigInput!) { loyaltyTiersApply(input: $input) { userErrors { message } } }`,
      { input: { metric: 'POINTS_EARNED', window: 'LIFETIME', tiers: [{ id: 'silver', name: 'Silver', entryThreshold: 100, multiplier: 1.5 }] } },
    );
    await placeOrder(t, { customer: { externalId: 'eli' }, subtotal: 15_000 });
    await aReward(t);
    const headers = { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('eli') };
    // Warm: the API key and the shop's loyalty configuration are cached per container.
    await t.gql(`{ me { loyalty { pointsName } } }`, {}, headers);
    const metered = async (query: string, variables: Record<string, unknown> = {}) => {
      const meter = newMeter();
      const res = await withMeter(meter, () => t.gql(query, variables, headers));
      expect(res.errors).toBeUndefined();
      return { meter, data: res.data! };
    };

    const one = await metered(`{ me { loyalty { pointsName } } }`);
    const all = await metered(`{
      me { loyalty { balance { available } pointsExpiringSoon { points } tier { currentTier { id } } rewards { affordable } entries(first: 20) { nodes { type } } } }
    }`);
    const preview = await metered(`query ($cart: LoyaltyCartInput!) { loyaltyEarnPreview(cart: $cart) { basePoints points tierBonusPoints } }`, { cart: { subtotal: 1_000 } });

    expect(all.meter.requests).toBe(one.meter.requests);
    expect(all.meter.requests).toBeLessThanOrEqual(3);
    expect(all.data.me.loyalty.tier.currentTier.id).toBe('silver');
    expect(preview.data.loyaltyEarnPreview).toEqual({ basePoints: 10, points: 15, tierBonusPoints: 5 });
    expect(preview.meter.writeCapacity).toBe(0);
  });

  it('reads the statements of a page of customers with at most two requests, not two per customer', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    for (const externalId of ['fin', 'gus', 'hej', 'ivy']) await placeOrder(t, { customer: { externalId }, subtotal: 1_000 });
    const LIST = (withLoyalty: boolean) => `{ customers(first: 10) { nodes { externalId ${withLoyalty ? 'loyalty { balance { available } }' : ''} } } }`;
    await t.gql(LIST(false));
    const without = newMeter();
    const withIt = newMeter();

    await withMeter(without, () => t.gql(LIST(false)));
    const res = await withMeter(withIt, () => t.gql(LIST(true)));

    expect(res.data!.customers.nodes.map((n: { loyalty: { balance: { available: number } } }) => n.loyalty.balance.available)).toEqual([10, 10, 10, 10]);
    expect(withIt.requests - without.requests).toBeLessThanOrEqual(2);
  });

  it('pages through the ledger beyond the entries the account keeps', async () => {
    const t = await aLoyaltyShop({ pendingDays: 0 });
    await placeOrder(t, { customer: { externalId: 'dee' } });
    const customer = await customerId(t, 'dee');
    for (let i = 0; i < 24; i++) await t.gql(ADJUST, { input: { customer, points: 1, reason: `r${i}`, idempotencyKey: `k${i}` } });
    const PAGE = `query ($e: String!, $after: String) { customerByExternalId(externalId: $e) { loyalty { entries(first: 10, after: $after) { nodes { reason } pageInfo { hasNextPage endCursor } } } } }`;

    const reasons: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 5; guard++) {
      const page: any = (await t.gql(PAGE, { e: 'dee', after })).data!.customerByExternalId.loyalty.entries;
      reasons.push(...page.nodes.map((n: { reason: string }) => n.reason));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }

    expect(reasons).toHaveLength(25);
    expect(new Set(reasons).size).toBe(25);
    expect(reasons[0]).toBe('r23');
  });
});
