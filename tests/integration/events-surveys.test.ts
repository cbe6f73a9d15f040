import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as streamHandler } from '../../functions/stream.js';
import { db } from '../../lib/db/service.js';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop, type TestShop } from '../fixtures/api.js';

const en = (text: string) => [{ locale: 'en', text }];
const SUBMIT = `mutation ($input: SurveyResponseSubmitInput!) { surveyResponseSubmit(input: $input) { response { id } userErrors { field code message } } }`;
const UPSERT = `mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id } } }`;

async function eventsOf(shopId: string, type: string, tieBreak = 'customerId') {
  const { data } = await db().entities.event.query.byTime({ tenantId: shopId }).go({ pages: 'all' });
  const key = (event: (typeof data)[number]) => String((event.data as Record<string, unknown>)[tieBreak]);
  return data.filter((event) => event.type === type).sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || key(a).localeCompare(key(b)));
}

describe('survey and feedback events', () => {
  let t: TestShop;
  let poller: StreamPoller;
  let surveyId: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await aShop();
    poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, handler: streamHandler, intervalMs: 0 });
    await t.gql(`mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { userErrors { message } } }`, {
      input: { pointsPerUnit: 1, pendingDays: 0, actions: [{ action: 'SURVEY_COMPLETED', points: 50 }] },
    });
    const created = await t.gql(`mutation ($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id } userErrors { field message } } }`, {
      input: { name: 'NPS', kind: 'NPS', defaultLocale: 'en', allowRepeats: false, scoreQuestion: { texts: en('How likely are you to recommend us?') }, questions: [] },
    });
    surveyId = created.data!.surveyCreate.survey.id;
    await t.gql(`mutation ($id: ID!) { surveyActivate(input: { id: $id }) { userErrors { message } } }`, { id: surveyId });
    for (const externalId of ['promoter', 'passive', 'detractor']) {
      ids[externalId] = (await t.gql(UPSERT, { input: { externalId } })).data!.customerUpsert.customer.id;
    }
  });
  afterAll(async () => {
    await poller?.stop();
  });

  it('publishes survey.response_submitted per response, feedback.promoter for a 9–10 and feedback.detractor with its follow-up', async () => {
    const answers = { promoter: 10, passive: 8, detractor: 2 } as const;
    const responses: Record<string, string> = {};
    for (const [who, rating] of Object.entries(answers)) {
      const res = await t.gql(SUBMIT, { input: { surveyId, customerId: ids[who], answers: [{ questionKey: 'score', rating }] } });
      expect(res.data!.surveyResponseSubmit.userErrors).toEqual([]);
      responses[who] = res.data!.surveyResponseSubmit.response.id;
    }

    const submitted = (await eventsOf(t.tenantId, 'survey.response_submitted', 'npsCategory')).map((event) => event.data);
    expect(submitted).toEqual([
      expect.objectContaining({ kind: 'NPS', score: 2, npsCategory: 'DETRACTOR', channel: 'PARTNER', orderId: null, submittedAt: '2026-03-01T12:00:00.000Z' }),
      expect.objectContaining({ score: 8, npsCategory: 'PASSIVE' }),
      expect.objectContaining({ score: 10, npsCategory: 'PROMOTER' }),
    ]);
    const promoters = (await eventsOf(t.tenantId, 'feedback.promoter')).map((event) => event.data);
    expect(promoters).toEqual([expect.objectContaining({ score: 10 })]);
    const detractors = (await eventsOf(t.tenantId, 'feedback.detractor')).map((event) => event.data);
    expect(detractors).toEqual([expect.objectContaining({ reason: 'DETRACTOR', score: 2, status: 'OPEN' })]);
  });

  it('publishes nothing for a refused second answer, and the survey bonus is earned once through the event', async () => {
    const refused = await t.gql(SUBMIT, { input: { surveyId, customerId: ids.promoter, answers: [{ questionKey: 'score', rating: 9 }] } });
    await poller.drain();
    await poller.drain();

    expect(refused.data!.surveyResponseSubmit.userErrors).toEqual([expect.objectContaining({ code: 'SURVEY_ALREADY_ANSWERED' })]);
    expect(await eventsOf(t.tenantId, 'survey.response_submitted')).toHaveLength(3);
    const earned = (await eventsOf(t.tenantId, 'loyalty.points_earned')).map((event) => event.data);
    expect(earned).toHaveLength(3);
    expect(earned.every((data) => (data as { reason: string }).reason === 'SURVEY_COMPLETED' && (data as { points: number }).points === 50)).toBe(true);
  });
});
