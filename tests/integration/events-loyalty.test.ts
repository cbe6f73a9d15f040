import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as streamHandler } from '../../functions/stream.js';
import { db } from '../../lib/db/service.js';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop, anOrder, mutateOk, ORDER_RECORD, type TestShop } from '../fixtures/api.js';

const PROGRAM = `mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { userErrors { field message } } }`;
const TIERS = `mutation ($input: LoyaltyTierConfigInput!) { loyaltyTiersApply(input: $input) { userErrors { message } } }`;
const UPSERT = `mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id } } }`;
const ADJUST = `mutation ($input: LoyaltyPointsAdjustInput!) { loyaltyPointsAdjust(input: $input) { points replayed userErrors { field code message } } }`;
const REWARD = `mutation ($input: LoyaltyRewardCreateInput!) { loyaltyRewardCreate(input: $input) { reward { rewardId } userErrors { field code message } } }`;
const REDEEM = `mutation ($input: LoyaltyRewardRedeemInput!) { loyaltyRewardRedeem(input: $input) { replayed coupon { code } userErrors { field code message } } }`;

/** The shop's outbox of one type; same-instant events put in the order of the named data key. */
async function eventsOf(shopId: string, type: string, tieBreak = 'customerId') {
  const { data } = await db().entities.event.query.byTime({ tenantId: shopId }).go({ pages: 'all' });
  const key = (event: (typeof data)[number]) => String((event.data as Record<string, unknown>)[tieBreak]);
  return data.filter((event) => event.type === type).sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || key(a).localeCompare(key(b)));
}

describe('loyalty events', () => {
  let t: TestShop;
  let poller: StreamPoller;
  beforeAll(async () => {
    t = await aShop();
    poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, handler: streamHandler, intervalMs: 0 });
    expect((await t.gql(PROGRAM, { input: { pointsPerUnit: 1, pendingDays: 0 } })).data!.loyaltyProgramUpdate.userErrors).toEqual([]);
    await t.gql(TIERS, { input: { metric: 'POINTS_EARNED', window: 'LIFETIME', tiers: [{ id: 'silver', name: 'Silver', entryThreshold: 40, multiplier: 1 }] } });
  });
  afterAll(async () => {
    await poller?.stop();
  });

  it('publishes loyalty.points_earned once per credit and loyalty.tier_changed UP when an order reaches a tier', async () => {
    const order = anOrder({ customer: { externalId: 'le-1' }, subtotal: 5_000 });
    await mutateOk(t, ORDER_RECORD, order);
    await mutateOk(t, ORDER_RECORD, order);
    await poller.drain();

    const earned = (await eventsOf(t.tenantId, 'loyalty.points_earned')).map((event) => event.data);
    expect(earned).toEqual([expect.objectContaining({ points: 50, sourceType: 'ORDER', sourceId: order.orderId, reason: 'ORDER', balance: 50 })]);
    const changed = (await eventsOf(t.tenantId, 'loyalty.tier_changed')).map((event) => event.data);
    expect(changed).toEqual([expect.objectContaining({ direction: 'UP', oldTier: null, newTier: { tierId: 'silver', name: 'Silver' } })]);
  });

  it('publishes an adjustment once however often it is retried, and nothing for a debit', async () => {
    const customer = (await t.gql(UPSERT, { input: { externalId: 'le-2' } })).data!.customerUpsert.customer.id;
    const input = { customer, points: 300, reason: 'goodwill', idempotencyKey: 'le-2-credit' };

    const first = await t.gql(ADJUST, { input });
    const retry = await t.gql(ADJUST, { input });
    await t.gql(ADJUST, { input: { customer, points: -10, reason: 'correction', idempotencyKey: 'le-2-debit' } });

    expect([first.data!.loyaltyPointsAdjust.replayed, retry.data!.loyaltyPointsAdjust.replayed]).toEqual([false, true]);
    const earned = (await eventsOf(t.tenantId, 'loyalty.points_earned')).filter((event) => (event.data as { sourceId: string }).sourceId.startsWith('le-2-'));
    expect(earned.map((event) => event.data)).toEqual([expect.objectContaining({ points: 300, sourceType: 'ADJUST', sourceId: 'le-2-credit', reason: 'goodwill', balance: 300 })]);
  });

  it('publishes loyalty.reward_redeemed once per redemption, and nothing for a refused one', async () => {
    const customer = (await t.gql(UPSERT, { input: { externalId: 'le-3' } })).data!.customerUpsert.customer.id;
    await t.gql(ADJUST, { input: { customer, points: 150, reason: 'credit', idempotencyKey: 'le-3-credit' } });
    const rewardId = (await t.gql(REWARD, { input: { name: '5 EUR off', kind: 'FIXED_AMOUNT', value: 500, pointsCost: 100 } })).data!.loyaltyRewardCreate.reward.rewardId;

    const redeemed = await t.gql(REDEEM, { input: { customer, rewardId, idempotencyKey: 'le-3-r1' } });
    const retried = await t.gql(REDEEM, { input: { customer, rewardId, idempotencyKey: 'le-3-r1' } });
    const refused = await t.gql(REDEEM, { input: { customer, rewardId, idempotencyKey: 'le-3-r2' } });

    expect(retried.data!.loyaltyRewardRedeem.replayed).toBe(true);
    expect(refused.data!.loyaltyRewardRedeem.userErrors).toEqual([expect.objectContaining({ code: 'INSUFFICIENT_POINTS' })]);
    const events = (await eventsOf(t.tenantId, 'loyalty.reward_redeemed')).map((event) => event.data);
    expect(events).toEqual([
      expect.objectContaining({ rewardId, redemptionId: 'le-3-r1', pointsSpent: 100, couponCode: redeemed.data!.loyaltyRewardRedeem.coupon.code, kind: 'FIXED_AMOUNT', redeemedAt: '2026-03-01T12:00:00.000Z' }),
    ]);
  });
});
