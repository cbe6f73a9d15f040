import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as streamHandler } from '../../functions/stream.js';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop, type TestShop } from '../fixtures/api.js';

/**
 * Feedback is part of the retention loop: completing a survey earns loyalty points once per
 * survey, and a promoter is handed their referral code. Fed by the real stream handler, with
 * every projection, as the deployed function runs.
 */
const en = (text: string) => [{ locale: 'en', text }];
const SUBMIT = `mutation ($input: SurveyResponseSubmitInput!) { surveyResponseSubmit(input: $input) { response { id npsCategory } referralCode userErrors { field code message } } }`;
const BALANCE = `query ($id: String!) { customerByExternalId(externalId: $id) { loyalty { balance { available } } referral { code } } }`;

describe('closing the loop between surveys, loyalty and referrals', () => {
  let t: TestShop;
  let poller: StreamPoller;
  let surveyId: string;
  const customerIds: Record<string, string> = {};
  beforeAll(async () => {
    t = await aShop();
    poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, handler: streamHandler, intervalMs: 0 });
    const loyalty = await t.gql(`mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { userErrors { field message } } }`, {
      input: { pointsPerUnit: 1, pendingDays: 0, actions: [{ action: 'SURVEY_COMPLETED', points: 50 }] },
    });
    expect(loyalty.data!.loyaltyProgramUpdate.userErrors).toEqual([]);
    const referrals = await t.gql(`mutation ($input: ReferralProgramUpdateInput!) { referralProgramUpdate(input: $input) { userErrors { field message } } }`, {
      input: { referrerReward: { type: 'POINTS', points: 500 }, refereeReward: { kind: 'FIXED_AMOUNT', value: 1000 }, holdDays: 14 },
    });
    expect(referrals.data!.referralProgramUpdate.userErrors).toEqual([]);
    const created = await t.gql(`mutation ($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id } userErrors { field message } } }`, {
      input: { name: 'NPS', kind: 'NPS', defaultLocale: 'en', allowRepeats: true, scoreQuestion: { texts: en('How likely are you to recommend us?') }, questions: [] },
    });
    expect(created.data!.surveyCreate.userErrors).toEqual([]);
    surveyId = created.data!.surveyCreate.survey.id;
    await t.gql(`mutation ($id: ID!) { surveyActivate(input: { id: $id }) { userErrors { message } } }`, { id: surveyId });
    for (const externalId of ['promoter', 'detractor']) {
      const res = await t.gql(`mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id } } }`, { input: { externalId } });
      customerIds[externalId] = res.data!.customerUpsert.customer.id;
    }
  });
  afterAll(async () => {
    await poller?.stop();
  });

  it('hands a promoter their referral code, and a detractor none', async () => {
    const promoter = await t.gql(SUBMIT, { input: { surveyId, customerId: customerIds.promoter, answers: [{ questionKey: 'score', rating: 10 }] } });
    const detractor = await t.gql(SUBMIT, { input: { surveyId, customerId: customerIds.detractor, answers: [{ questionKey: 'score', rating: 3 }] } });
    await poller.drain();

    const promoterView = await t.gql(BALANCE, { id: 'promoter' });
    expect(promoter.data!.surveyResponseSubmit).toMatchObject({ userErrors: [], response: { npsCategory: 'PROMOTER' } });
    expect(promoter.data!.surveyResponseSubmit.referralCode).toBe(promoterView.data!.customerByExternalId.referral.code);
    expect(detractor.data!.surveyResponseSubmit).toMatchObject({ userErrors: [], referralCode: null, response: { npsCategory: 'DETRACTOR' } });
  });

  it('earns the survey bonus once per survey, however often the customer answers or the stream redelivers', async () => {
    await t.gql(SUBMIT, { input: { surveyId, customerId: customerIds.detractor, answers: [{ questionKey: 'score', rating: 5 }] } });
    await poller.drain();

    const after = await t.gql(BALANCE, { id: 'detractor' });

    expect(after.data!.customerByExternalId.loyalty.balance.available).toBe(50);
  });
});
