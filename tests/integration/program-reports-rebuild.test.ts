import { describe, expect, it, beforeAll } from 'vitest';
import { advanceRebuild } from '../../lib/metrics/metrics.rebuild.js';
import { runReferralCompletion } from '../../lib/referrals/index.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { projections } from '../../lib/app/projections.js';
import { aShop, anOrder, mutateOk, ORDER_RECORD, type TestShop } from '../fixtures/api.js';
import { feedStream } from '../fixtures/stream.js';
import { jobIdOf } from '../../lib/graphql/ids.js';

// Every projection the stream runs in production.
const streamHandler = createStreamHandler(projections);
const stream = feedStream(streamHandler);

const USER_ERRORS = 'userErrors { field code message }';

const REPORTS = /* GraphQL */ `
  query ($g: MetricsGranularity!, $from: String!, $to: String!) {
    loyaltyReport(granularity: $g, from: $from, to: $to) {
      definitions { granularity timeZone revenueBasis currencyCode }
      periods {
        period startsAt pointsIssued pointsRedeemed pointsExpired pointsReversed outstandingPoints members newMembers
        memberPurchases { customers repeatCustomers orders revenue { amount } }
        nonMemberPurchases { customers repeatCustomers orders revenue { amount } }
      }
    }
    referralReport(granularity: $g, from: $from, to: $to) {
      definitions { granularity timeZone revenueBasis }
      periods { period referralsStarted referralsCompleted referralsRejected rejectedByReason { reason count } referredRevenue { amount } }
    }
    feedbackReport(granularity: $g, from: $from, to: $to) {
      definitions { granularity timeZone revenueBasis }
      periods { period responses invitations nps { promoters passives detractors responses } }
    }
  }
`;

const ok = mutateOk;

async function customerId(t: TestShop, externalId: string): Promise<string> {
  return (await t.gql(`query ($e: String!) { customerByExternalId(externalId: $e) { id } }`, { e: externalId })).data!.customerByExternalId.id;
}

async function order(t: TestShop, at: string, externalId: string, overrides: Record<string, unknown> = {}) {
  t.clock.set(at);
  const res = await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId, email: `${externalId}@example.com` }, placedAt: at, shipping: 700, tax: 300, ...overrides }) });
  expect(res.data!.orderRecord.userErrors).toEqual([]);
}

async function join(t: TestShop, at: string, externalId: string) {
  t.clock.set(at);
  await ok(t, `mutation ($input: LoyaltyJoinInput!) { loyaltyJoin(input: $input) { ${USER_ERRORS} } }`, { customer: await customerId(t, externalId) });
}

async function respond(t: TestShop, surveyId: string, at: string, externalId: string, score: number) {
  t.clock.set(at);
  await ok(t, `mutation ($input: SurveyResponseSubmitInput!) { surveyResponseSubmit(input: $input) { ${USER_ERRORS} } }`, {
    surveyId,
    customerId: await customerId(t, externalId),
    answers: [{ questionKey: 'score', rating: score }],
  });
}

/**
 * The same history in any shop. Several events fall in the last hour(s) of a UTC month, which is
 * already the next month in Berlin (UTC+1 in winter, UTC+2 from 29 March 2026).
 */
async function playHistory(t: TestShop): Promise<{ surveyId: string }> {
  t.clock.set('2025-11-20T12:00:00Z');
  await ok(t, `mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { ${USER_ERRORS} } }`, { pointsPerUnit: 1, pendingDays: 0, enrollment: 'HYBRID' });
  await ok(t, `mutation ($input: ReferralProgramUpdateInput!) { referralProgramUpdate(input: $input) { ${USER_ERRORS} } }`, {
    referrerReward: { type: 'POINTS', points: 500 },
    refereeReward: { kind: 'FIXED_AMOUNT', value: 1000, minimumOrderAmount: 3000 },
    holdDays: 14,
    minimumOrderAmount: 2000,
  });
  const survey = await ok(t, `mutation ($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id } ${USER_ERRORS} } }`, {
    name: 'NPS',
    kind: 'NPS',
    defaultLocale: 'en',
    scoreQuestion: { texts: [{ locale: 'en', text: 'Score?' }] },
    questions: [],
  });
  await ok(t, `mutation ($input: SurveyStatusInput!) { surveyActivate(input: $input) { ${USER_ERRORS} } }`, { id: survey.survey.id });

  await order(t, '2025-12-01T10:00:00Z', 'referrer');
  await stream.poller.drain();
  const code = (await t.gql(`query { customerByExternalId(externalId: "referrer") { referral { code } } }`)).data!.customerByExternalId.referral.code;
  await join(t, '2025-12-02T10:00:00Z', 'referrer');
  await order(t, '2026-01-10T10:00:00Z', 'ann', { subtotal: 4_000 });
  await order(t, '2026-01-31T23:30:00Z', 'bob', { subtotal: 5_000, referralCode: code });
  await join(t, '2026-01-31T23:40:00Z', 'ann');
  await respond(t, survey.survey.id, '2026-01-31T23:50:00Z', 'ann', 10);
  await order(t, '2026-02-05T10:00:00Z', 'ann', { subtotal: 3_000 });
  await order(t, '2026-02-06T10:00:00Z', 'ann', { subtotal: 2_000 });
  await respond(t, survey.survey.id, '2026-02-10T10:00:00Z', 'bob', 5);
  await stream.poller.drain();
  // bob's referral completes after the hold: the referrer's 500 points.
  t.clock.set('2026-03-01T12:00:00Z');
  await runReferralCompletion(t.clock);
  await order(t, '2026-03-02T10:00:00Z', 'cyd', { subtotal: 6_000 });
  await order(t, '2026-03-03T10:00:00Z', 'cyd', { subtotal: 1_500 });
  // 22:30 UTC on 31 March is 1 April in Berlin: cyd is a member at the end of March in UTC only.
  await join(t, '2026-03-31T22:30:00Z', 'cyd');
  await stream.poller.drain();
  return { surveyId: survey.survey.id };
}

async function reports(t: TestShop, g: string, from: string, to: string) {
  const res = await t.gql(REPORTS, { g, from, to });
  expect(res.errors).toBeUndefined();
  return res.data!;
}

async function rebuild(t: TestShop, between?: (step: number) => Promise<void>) {
  const started = await t.gql(`mutation { metricsRebuild { job { id } ${USER_ERRORS} } }`);
  const jobId = jobIdOf(t.tenantId, started.data!.metricsRebuild.job.id, 'MetricsRebuildJob')!;
  const phases = new Set<string>();
  let job = await advanceRebuild(t.tenantId, jobId, t.clock, 0);
  for (let step = 1; job?.status === 'RUNNING' && step < 500; step += 1) {
    phases.add(job.phase);
    await between?.(step);
    await stream.poller.drain();
    job = await advanceRebuild(t.tenantId, jobId, t.clock, 0);
  }
  expect(job?.status).toBe('SUCCEEDED');
  return phases;
}

const RANGES: Array<[string, string, string]> = [
  ['MONTH', '2025-12', '2026-04'],
  ['QUARTER', '2025-Q4', '2026-Q2'],
  ['WEEK', '2026-01-26', '2026-02-09'],
];

describe('program reports after a change of time zone and revenue basis', () => {
  // `changed` starts in UTC with the TOTAL basis and is moved to Berlin and SUBTOTAL; `reference`
  // has Berlin and SUBTOTAL from the start and lives through the same history.
  let changed: TestShop;
  let reference: TestShop;
  const surveyIds = new Map<TestShop, string>();

  beforeAll(async () => {
    changed = await aShop({ timeZone: 'UTC' });
    reference = await aShop({ timeZone: 'Europe/Berlin' });
    await ok(reference, `mutation ($input: ShopSettingsUpdateInput!) { shopSettingsUpdate(input: $input) { ${USER_ERRORS} } }`, { revenueBasis: 'SUBTOTAL' });
    surveyIds.set(changed, (await playHistory(changed)).surveyId);
    surveyIds.set(reference, (await playHistory(reference)).surveyId);
  });

  it('cuts the reports in the time zone and revenue basis the counters were computed with', async () => {
    const utc = await reports(changed, 'MONTH', '2026-01', '2026-03');
    const berlin = await reports(reference, 'MONTH', '2026-01', '2026-03');

    expect(utc.loyaltyReport.definitions).toMatchObject({ timeZone: 'UTC', revenueBasis: 'TOTAL' });
    expect(berlin.loyaltyReport.definitions).toMatchObject({ timeZone: 'Europe/Berlin', revenueBasis: 'SUBTOTAL' });
    // The last hour of January UTC: ann's join, bob's referred first order, ann's NPS 10.
    expect(utc.loyaltyReport.periods[0]).toMatchObject({ period: '2026-01', newMembers: 1, memberPurchases: { customers: 1, orders: 1 }, nonMemberPurchases: { customers: 1, orders: 1 } });
    expect(berlin.loyaltyReport.periods[0]).toMatchObject({ period: '2026-01', newMembers: 0, memberPurchases: { customers: 0 }, nonMemberPurchases: { customers: 1, orders: 1 } });
    expect(utc.referralReport.periods.map((p: any) => p.referralsStarted)).toEqual([1, 0, 0]);
    expect(berlin.referralReport.periods.map((p: any) => p.referralsStarted)).toEqual([0, 1, 0]);
    expect(utc.feedbackReport.periods.map((p: any) => p.nps.promoters)).toEqual([1, 0, 0]);
    expect(berlin.feedbackReport.periods.map((p: any) => p.nps.promoters)).toEqual([0, 1, 0]);
    // cyd joined at the end of March UTC, in April in Berlin; ann joined before February ended in both.
    expect(utc.loyaltyReport.periods[2].memberPurchases).toMatchObject({ customers: 1, repeatCustomers: 1, orders: 2, revenue: { amount: 7_500 + 2 * 1_000 } });
    expect(berlin.loyaltyReport.periods[2].memberPurchases).toMatchObject({ customers: 0 });
    expect(berlin.loyaltyReport.periods[2].nonMemberPurchases).toMatchObject({ customers: 1, repeatCustomers: 1, orders: 2, revenue: { amount: 7_500 } });
    expect(berlin.loyaltyReport.periods[1].memberPurchases).toMatchObject({ customers: 1, orders: 2, revenue: { amount: 5_000 } });
  });

  it('keeps the reports as they were when the settings change, until metricsRebuild', async () => {
    const before = await reports(changed, 'MONTH', '2025-12', '2026-04');

    const res = await ok(changed, `mutation ($input: ShopSettingsUpdateInput!) { shopSettingsUpdate(input: $input) { metricsRebuildNeeded ${USER_ERRORS} } }`, {
      timeZone: 'Europe/Berlin',
      revenueBasis: 'SUBTOTAL',
    });

    expect(res.metricsRebuildNeeded).toBe(true);
    expect(await reports(changed, 'MONTH', '2025-12', '2026-04')).toEqual(before);
  });

  it('re-cuts every program report in the new time zone and basis, as if the shop had them from the start, counting what arrives meanwhile once', async () => {
    // During the rebuild both shops go on: a new member, an order, a response, a points adjustment.
    const more = async (t: TestShop) => {
      await order(t, '2026-04-02T10:00:00Z', 'dan', { subtotal: 2_500 });
      await join(t, '2026-04-03T10:00:00Z', 'dan');
      await respond(t, surveyIds.get(t)!, '2026-04-04T10:00:00Z', 'dan', 8);
      t.clock.set('2026-04-05T10:00:00Z');
      await ok(t, `mutation ($input: LoyaltyPointsAdjustInput!) { loyaltyPointsAdjust(input: $input) { ${USER_ERRORS} } }`, {
        customer: await customerId(t, 'dan'),
        points: 40,
        reason: 'goodwill',
        idempotencyKey: 'goodwill-dan',
      });
    };
    let moreDone = false;

    const phases = await rebuild(changed, async (step) => {
      if (step === 3 && !moreDone) {
        moreDone = true;
        await more(changed);
      }
    });
    if (!moreDone) await more(changed);
    await more(reference);
    await stream.poller.drain();

    expect(phases).toContain('PROGRAMS');
    for (const [g, from, to] of RANGES) {
      expect(await reports(changed, g, from, to), `${g} ${from}..${to}`).toEqual(await reports(reference, g, from, to));
    }
    const months = await reports(changed, 'MONTH', '2026-01', '2026-04');
    expect(months.loyaltyReport.definitions).toMatchObject({ timeZone: 'Europe/Berlin', revenueBasis: 'SUBTOTAL' });
    // Referred revenue is a first order's total whatever the shop's basis; feedback has no revenue.
    expect(months.referralReport.definitions).toMatchObject({ timeZone: 'Europe/Berlin', revenueBasis: 'TOTAL' });
    expect(months.feedbackReport.definitions).toMatchObject({ timeZone: 'Europe/Berlin', revenueBasis: null });
    expect(months.referralReport.periods.map((p: any) => p.referralsStarted)).toEqual([0, 1, 0, 0]);
    expect(months.loyaltyReport.periods[3]).toMatchObject({ newMembers: 2, members: 4, memberPurchases: { customers: 1, orders: 1, revenue: { amount: 2_500 } } });
    expect(months.feedbackReport.periods[3].nps).toMatchObject({ passives: 1, responses: 1 });
  });

  it('counts nothing twice when every batch is delivered again after the rebuild', async () => {
    const before = await reports(changed, 'MONTH', '2025-12', '2026-04');

    for (const event of [...stream.delivered]) await streamHandler(event);

    expect(await reports(changed, 'MONTH', '2025-12', '2026-04')).toEqual(before);
  });
});
