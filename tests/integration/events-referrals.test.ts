import { describe, expect, it } from 'vitest';
import { db } from '../../lib/db/service.js';
import { referralProjection, runReferralCompletion } from '../../lib/referrals/index.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { aShop, anOrder, ORDER_RECORD, type TestShop } from '../fixtures/api.js';
import { feedStream } from '../fixtures/stream.js';

const DAY = 86_400_000;
const streamHandler = createStreamHandler([referralProjection]);
const stream = feedStream(streamHandler);

const LOYALTY = `mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { userErrors { message } } }`;
const PROGRAM = `mutation ($input: ReferralProgramUpdateInput!) { referralProgramUpdate(input: $input) { userErrors { field code message } } }`;
const CODE = `query ($externalId: String!) { customerByExternalId(externalId: $externalId) { referral { code } } }`;

async function eventsOf(shopId: string, type: string, tieBreak = 'orderId') {
  const { data } = await db().entities.event.query.byTime({ tenantId: shopId }).go({ pages: 'all' });
  const key = (event: (typeof data)[number]) => String((event.data as Record<string, unknown>)[tieBreak]);
  return data.filter((event) => event.type === type).sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || key(a).localeCompare(key(b)));
}

async function placeOrder(t: TestShop, overrides: Record<string, unknown>): Promise<Record<string, any>> {
  const input = anOrder({ placedAt: t.clock.now().toISOString(), ...overrides });
  const res = await t.gql(ORDER_RECORD, { input });
  expect(res.data!.orderRecord.userErrors).toEqual([]);
  await stream.poller.drain();
  return input;
}

async function aReferralShop(): Promise<{ t: TestShop; code: string }> {
  const t = await aShop();
  await t.gql(LOYALTY, { input: { pointsPerUnit: 1, pendingDays: 0 } });
  const res = await t.gql(PROGRAM, { input: { referrerReward: { type: 'POINTS', points: 500 }, refereeReward: { kind: 'FIXED_AMOUNT', value: 1000 }, holdDays: 14 } });
  expect(res.data!.referralProgramUpdate.userErrors).toEqual([]);
  await placeOrder(t, { customer: { externalId: 'referrer', email: 'referrer@example.com' }, placedAt: new Date(t.clock.now().getTime() - 30 * DAY).toISOString(), riskSignals: { ipHash: 'ip-1' } });
  const code = (await t.gql(CODE, { externalId: 'referrer' })).data!.customerByExternalId.referral.code as string;
  return { t, code };
}

describe('referral events', () => {
  it('publishes referral.started once per referred order, and referral.completed once however often the job reruns', async () => {
    const { t, code } = await aReferralShop();
    const order = await placeOrder(t, { customer: { externalId: 'friend', email: 'friend@example.com' }, referralCode: code });
    for (const batch of [...stream.delivered]) await streamHandler(batch);

    t.clock.advance(15 * DAY);
    await Promise.all([runReferralCompletion(t.clock), runReferralCompletion(t.clock)]);
    await runReferralCompletion(t.clock);

    const started = (await eventsOf(t.tenantId, 'referral.started')).map((event) => event.data);
    expect(started).toEqual([expect.objectContaining({ orderId: order.orderId, code, status: 'PENDING', refereeCouponCode: expect.any(String) })]);
    const completed = (await eventsOf(t.tenantId, 'referral.completed')).map((event) => event.data);
    expect(completed).toEqual([
      expect.objectContaining({ orderId: order.orderId, code, reason: 'HOLD_PERIOD_PASSED', reward: { type: 'POINTS', points: 500 }, completedAt: t.clock.now().toISOString() }),
    ]);
    expect(await eventsOf(t.tenantId, 'referral.flagged')).toEqual([]);
  });

  it('publishes referral.flagged with the rule and its signals, and nothing for a rejected referral', async () => {
    const { t, code } = await aReferralShop();

    const flagged = await placeOrder(t, { customer: { externalId: 'same-ip', email: 'same-ip@example.com' }, referralCode: code, riskSignals: { ipHash: 'ip-1' } });
    await placeOrder(t, { customer: { externalId: 'nobody', email: 'nobody@example.com' }, referralCode: 'NO-SUCH-CODE' });

    const events = (await eventsOf(t.tenantId, 'referral.flagged')).map((event) => event.data);
    expect(events).toEqual([expect.objectContaining({ orderId: flagged.orderId, reason: 'SHARED_IP', flags: ['SHARED_IP'], signals: expect.objectContaining({ sharedIp: true, selfReferral: false }) })]);
    const started = (await eventsOf(t.tenantId, 'referral.started')).map((event) => event.data);
    expect(started).toEqual([expect.objectContaining({ orderId: flagged.orderId, status: 'FLAGGED' })]);
  });
});
