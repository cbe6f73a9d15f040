import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { feedbackErasureProjection, postPurchaseInvitationsProjection } from '../../lib/surveys/surveys.projections.js';
import { aShop, anOrder, ORDER_RECORD, type TestShop } from '../fixtures/api.js';

const USER_ERRORS = 'userErrors { field code message }';
const SURVEY_FIELDS = `id name kind status defaultLocale scale { min max satisfiedFrom } allowRepeats editWindowMinutes`;

const SURVEY_CREATE = `mutation ($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { ${SURVEY_FIELDS} } ${USER_ERRORS} } }`;
const SURVEY_UPDATE = `mutation ($input: SurveyUpdateInput!) { surveyUpdate(input: $input) { survey { ${SURVEY_FIELDS} questions { key } } ${USER_ERRORS} } }`;
const SURVEY_ACTIVATE = `mutation ($id: ID!) { surveyActivate(input: { id: $id }) { survey { status activatedAt } ${USER_ERRORS} } }`;
const SURVEY_CLOSE = `mutation ($id: ID!) { surveyClose(input: { id: $id }) { survey { status closedAt } ${USER_ERRORS} } }`;
const SUBMIT = `mutation ($input: SurveyResponseSubmitInput!) {
  surveyResponseSubmit(input: $input) {
    response { id score npsCategory orderId channel answers { questionKey rating optionKeys text } submittedAt editableUntil customer { id } }
    followUpCreated referralCode ${USER_ERRORS}
  }
}`;
const UPDATE_RESPONSE = `mutation ($input: SurveyResponseUpdateInput!) { surveyResponseUpdate(input: $input) { response { id score answers { questionKey rating text } } ${USER_ERRORS} } }`;
const INVITE = `mutation ($input: SurveyInvitationCreateInput!) { surveyInvitationCreate(input: $input) { token invitation { id orderId source expiresAt hasToken usedAt } ${USER_ERRORS} } }`;
const RESULTS = `query ($id: ID!, $from: DateTime, $to: DateTime) {
  survey(id: $id) {
    results(from: $from, to: $to) {
      responses invitations responseRate
      nps { score promoters passives detractors responses }
      satisfaction { score satisfied responses satisfiedFrom }
      effort { mean sum responses }
      scoreDistribution { value count }
      questions { questionKey answered options { optionKey count } ratings { value count } }
    }
  }
}`;
const COMMENTS = `query ($id: ID!, $first: Int, $after: String) {
  survey(id: $id) { latestComments(first: $first, after: $after) { nodes { id score answers { questionKey text } } pageInfo { hasNextPage endCursor } } }
}`;
const UPSERT = `mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id } ${USER_ERRORS} } }`;

const en = (text: string) => [{ locale: 'en', text }];

/** An NPS survey with a detractor follow-up, a promoter follow-up and two choice questions. */
function anNpsSurvey(overrides: Record<string, unknown> = {}) {
  return {
    name: 'After purchase',
    kind: 'NPS',
    defaultLocale: 'en',
    scoreQuestion: {
      texts: [
        { locale: 'en', text: 'How likely are you to recommend us?' },
        { locale: 'de', text: 'Wie wahrscheinlich ist es, dass Sie uns empfehlen?' },
      ],
      labels: [{ value: 0, texts: en('Not at all') }, { value: 10, texts: en('Extremely') }],
    },
    questions: [
      { key: 'what-went-wrong', type: 'TEXT', texts: [{ locale: 'en', text: 'What went wrong?' }, { locale: 'de', text: 'Was lief schief?' }], maxLength: 50, showWhenScore: { min: 0, max: 6 } },
      { key: 'what-you-liked', type: 'TEXT', texts: en('What did you like?'), maxLength: 50, showWhenScore: { min: 9, max: 10 } },
      { key: 'channel', type: 'SINGLE_CHOICE', required: true, texts: en('Where did you buy?'), options: [{ key: 'web', texts: en('Online') }, { key: 'shop', texts: en('In store') }] },
      { key: 'liked', type: 'MULTIPLE_CHOICE', texts: en('What did you like?'), options: [{ key: 'taste', texts: en('Taste') }, { key: 'price', texts: en('Price') }, { key: 'service', texts: en('Service') }] },
    ],
    ...overrides,
  };
}

/** A survey of another kind: score question without labels, no further questions. */
const aSurveyOfKind = (kind: string, overrides: Record<string, unknown> = {}) =>
  anNpsSurvey({ kind, scoreQuestion: { texts: en('How satisfied are you?') }, questions: [], ...overrides });

async function activeSurvey(t: TestShop, input: Record<string, unknown> = anNpsSurvey()): Promise<string> {
  const created = await t.gql(SURVEY_CREATE, { input });
  expect(created.data!.surveyCreate.userErrors).toEqual([]);
  const id = created.data!.surveyCreate.survey.id as string;
  const activated = await t.gql(SURVEY_ACTIVATE, { id });
  expect(activated.data!.surveyActivate.userErrors).toEqual([]);
  return id;
}

async function aCustomer(t: TestShop, externalId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.gql(UPSERT, { input: { externalId, ...extra } });
  expect(res.data!.customerUpsert.userErrors).toEqual([]);
  return res.data!.customerUpsert.customer.id;
}

const npsAnswers = (score: number, extra: Array<Record<string, unknown>> = []) => [
  { questionKey: 'score', rating: score },
  { questionKey: 'channel', optionKeys: ['web'] },
  ...extra,
];

async function submitAs(t: TestShop, surveyId: string, customerId: string, score: number, extra: Array<Record<string, unknown>> = []) {
  const res = await t.gql(SUBMIT, { input: { surveyId, customerId, answers: npsAnswers(score, extra) } });
  expect(res.errors).toBeUndefined();
  return res.data!.surveyResponseSubmit;
}

describe('surveys', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop();
  });

  it('goes DRAFT -> ACTIVE -> CLOSED and edits questions only while DRAFT', async () => {
    const created = await t.gql(SURVEY_CREATE, { input: anNpsSurvey() });
    const id = created.data!.surveyCreate.survey.id;
    expect(created.data!.surveyCreate.survey).toMatchObject({ status: 'DRAFT', kind: 'NPS', scale: { min: 0, max: 10, satisfiedFrom: 9 }, editWindowMinutes: 30 });

    const draftEdit = await t.gql(SURVEY_UPDATE, { input: { id, questions: [{ key: 'why', type: 'TEXT', texts: en('Why?'), maxLength: 100 }] } });
    const activated = await t.gql(SURVEY_ACTIVATE, { id });
    const activeEdit = await t.gql(SURVEY_UPDATE, { input: { id, questions: [] } });
    const renamed = await t.gql(SURVEY_UPDATE, { input: { id, name: 'Renamed', editWindowMinutes: 10 } });
    const closed = await t.gql(SURVEY_CLOSE, { id });
    const reactivated = await t.gql(SURVEY_ACTIVATE, { id });

    expect(draftEdit.data!.surveyUpdate).toMatchObject({ userErrors: [], survey: { questions: [{ key: 'score' }, { key: 'why' }] } });
    expect(activated.data!.surveyActivate.survey).toMatchObject({ status: 'ACTIVE', activatedAt: '2026-03-01T12:00:00.000Z' });
    expect(activeEdit.data!.surveyUpdate).toMatchObject({ survey: null, userErrors: [{ code: 'SURVEY_NOT_DRAFT', field: ['input', 'questions'] }] });
    expect(renamed.data!.surveyUpdate).toMatchObject({ userErrors: [], survey: { name: 'Renamed', editWindowMinutes: 10, questions: [{ key: 'score' }, { key: 'why' }] } });
    expect(closed.data!.surveyClose.survey.status).toBe('CLOSED');
    expect(reactivated.data!.surveyActivate.userErrors).toMatchObject([{ code: 'SURVEY_NOT_DRAFT' }]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['a CUSTOM survey without its scale', { kind: 'CUSTOM' }, ['input', 'scale']],
    ['a CUSTOM cut-off outside its scale', { kind: 'CUSTOM', scale: { min: 1, max: 10, satisfiedFrom: 11 } }, ['input', 'scale', 'satisfiedFrom']],
    ['a scale on a standard kind', { scale: { min: 1, max: 10, satisfiedFrom: 7 } }, ['input', 'scale']],
    ['no text in the default locale', { defaultLocale: 'nl' }, ['input', 'scoreQuestion', 'texts']],
    ['a label outside the scale', { scoreQuestion: { texts: en('Q'), labels: [{ value: 11, texts: en('x') }] } }, ['input', 'scoreQuestion', 'labels', '0', 'value']],
    ['a duplicate option key', { questions: [{ key: 'c', type: 'SINGLE_CHOICE', texts: en('Q'), options: [{ key: 'a', texts: en('A') }, { key: 'a', texts: en('B') }] }] }, ['input', 'questions', '0', 'options', '1', 'key']],
    ['the reserved key "score"', { questions: [{ key: 'score', type: 'TEXT', texts: en('Q'), maxLength: 5 }] }, ['input', 'questions', '0', 'key']],
    ['a text without maxLength', { questions: [{ key: 't', type: 'TEXT', texts: en('Q') }] }, ['input', 'questions', '0', 'maxLength']],
    ['a follow-up band outside the scale', { questions: [{ key: 't', type: 'TEXT', texts: en('Q'), maxLength: 5, showWhenScore: { min: 0, max: 11 } }] }, ['input', 'questions', '0', 'showWhenScore']],
  ])('refuses %s', async (_case, overrides, field) => {
    const res = await t.gql(SURVEY_CREATE, { input: anNpsSurvey(overrides) });

    expect(res.data!.surveyCreate.survey).toBeNull();
    expect(res.data!.surveyCreate.userErrors.map((e: { field: string[] }) => e.field)).toContainEqual(field);
  });

  it('creates a CUSTOM survey with its stated cut-off', async () => {
    const res = await t.gql(SURVEY_CREATE, { input: aSurveyOfKind('CUSTOM', { scale: { min: 1, max: 10, satisfiedFrom: 8 } }) });

    expect(res.data!.surveyCreate).toMatchObject({ userErrors: [], survey: { kind: 'CUSTOM', scale: { min: 1, max: 10, satisfiedFrom: 8 } } });
  });

  it('returns the first survey for a repeated idempotency key', async () => {
    const input = anNpsSurvey({ idempotencyKey: 'create-once' });

    const [a, b] = [await t.gql(SURVEY_CREATE, { input }), await t.gql(SURVEY_CREATE, { input })];

    expect(b.data!.surveyCreate.survey.id).toBe(a.data!.surveyCreate.survey.id);
  });

  it('resolves texts by the caller locale, falling back by language and then to the default', async () => {
    const id = await activeSurvey(t);
    const query = `query ($id: ID!, $locale: String) { survey(id: $id) { locales questions(locale: $locale) { key text locale } } }`;
    await aCustomer(t, 'dutch', { locale: 'nl' });
    await aCustomer(t, 'austrian', { locale: 'de-AT' });

    const german = await t.gql(query, { id, locale: 'de-AT' });
    const french = await t.gql(query, { id, locale: 'fr' });
    const storefrontDutch = await t.gql(query, { id }, { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('dutch') });
    const storefrontAustrian = await t.gql(query, { id }, { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('austrian') });

    expect(german.data!.survey.locales).toEqual(['en', 'de']);
    expect(german.data!.survey.questions.slice(0, 2)).toEqual([
      { key: 'score', text: 'Wie wahrscheinlich ist es, dass Sie uns empfehlen?', locale: 'de' },
      { key: 'what-went-wrong', text: 'Was lief schief?', locale: 'de' },
    ]);
    expect(german.data!.survey.questions[2]).toEqual({ key: 'what-you-liked', text: 'What did you like?', locale: 'en' });
    expect(french.data!.survey.questions[0].locale).toBe('en');
    expect(storefrontDutch.data!.survey.questions[0].locale).toBe('en');
    expect(storefrontAustrian.data!.survey.questions[0].locale).toBe('de');
  });
});

describe('surveyResponseSubmit', () => {
  let t: TestShop;
  let surveyId: string;
  beforeAll(async () => {
    t = await aShop();
    surveyId = await activeSurvey(t);
  });

  it('stores a partner response linked to the customer and the order', async () => {
    const order = anOrder({ customer: { externalId: 'olga' } });
    const recorded = await t.gql(ORDER_RECORD, { input: order });
    const customerId = recorded.data!.orderRecord.order.customer.id;

    const res = await t.gql(SUBMIT, { input: { surveyId, customerId, orderId: order.orderId, answers: npsAnswers(10, [{ questionKey: 'what-you-liked', text: ' Fresh beans ' }, { questionKey: 'liked', optionKeys: ['taste', 'service'] }]) } });

    expect(res.data!.surveyResponseSubmit).toMatchObject({
      userErrors: [],
      followUpCreated: false,
      referralCode: null,
      response: {
        score: 10,
        npsCategory: 'PROMOTER',
        orderId: order.orderId,
        channel: 'PARTNER',
        customer: { id: customerId },
        submittedAt: '2026-03-01T12:00:00.000Z',
        editableUntil: '2026-03-01T12:30:00.000Z',
        answers: [
          { questionKey: 'score', rating: 10, optionKeys: null, text: null },
          { questionKey: 'channel', rating: null, optionKeys: ['web'], text: null },
          { questionKey: 'what-you-liked', rating: null, optionKeys: null, text: 'Fresh beans' },
          { questionKey: 'liked', rating: null, optionKeys: ['taste', 'service'], text: null },
        ],
      },
    });
  });

  it.each<[string, Array<Record<string, unknown>>, string[], string]>([
    ['a score out of range', [{ questionKey: 'score', rating: 11 }, { questionKey: 'channel', optionKeys: ['web'] }], ['input', 'answers', '0', 'rating'], 'INVALID'],
    ['an option that does not exist', [{ questionKey: 'score', rating: 8 }, { questionKey: 'channel', optionKeys: ['fax'] }], ['input', 'answers', '1', 'optionKeys', '0'], 'INVALID'],
    ['a missing required answer', [{ questionKey: 'score', rating: 8 }], ['input', 'answers'], 'INVALID'],
    ['a text over the limit', npsAnswers(3, [{ questionKey: 'what-went-wrong', text: 'x'.repeat(51) }]), ['input', 'answers', '2', 'text'], 'INVALID'],
    ['a follow-up not asked for the score', npsAnswers(8, [{ questionKey: 'what-went-wrong', text: 'late' }]), ['input', 'answers', '2', 'questionKey'], 'INVALID'],
    ['an unknown question', npsAnswers(8, [{ questionKey: 'mood', text: 'ok' }]), ['input', 'answers', '2', 'questionKey'], 'INVALID'],
    ['an order of another customer', npsAnswers(8), ['input', 'orderId'], 'NOT_FOUND'],
  ])('refuses %s and stores nothing', async (_case, answers, field, code) => {
    const customerId = await aCustomer(t, `invalid-${_case.replace(/\W+/g, '-')}`);
    const otherOrder = anOrder({ customer: { externalId: 'someone-else' } });
    await t.gql(ORDER_RECORD, { input: otherOrder });

    const res = await t.gql(SUBMIT, { input: { surveyId, customerId, answers, ...(code === 'NOT_FOUND' ? { orderId: otherOrder.orderId } : {}) } });
    const retry = await t.gql(SUBMIT, { input: { surveyId, customerId, answers: npsAnswers(8) } });

    expect(res.data!.surveyResponseSubmit).toMatchObject({ response: null });
    expect(res.data!.surveyResponseSubmit.userErrors).toContainEqual(expect.objectContaining({ field, code }));
    // Nothing was stored: the customer's one response is still to give.
    expect(retry.data!.surveyResponseSubmit.userErrors).toEqual([]);
  });

  it('stores exactly one of 10 concurrent submits by one customer', async () => {
    const customerId = await aCustomer(t, 'racer');

    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => t.gql(SUBMIT, { input: { surveyId, customerId, answers: npsAnswers(i) } })));

    const payloads = results.map((r) => r.data!.surveyResponseSubmit);
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(payloads.filter((p) => p.response !== null)).toHaveLength(1);
    expect(payloads.filter((p) => p.userErrors[0]?.code === 'SURVEY_ALREADY_ANSWERED')).toHaveLength(9);
    const again = await t.gql(SUBMIT, { input: { surveyId, customerId, answers: npsAnswers(5) } });
    expect(again.data!.surveyResponseSubmit.userErrors).toMatchObject([{ code: 'SURVEY_ALREADY_ANSWERED', field: ['input', 'surveyId'] }]);
  });

  it('accepts repeats when the survey allows them', async () => {
    const repeatable = await activeSurvey(t, anNpsSurvey({ allowRepeats: true }));
    const customerId = await aCustomer(t, 'regular');

    const first = await submitAs(t, repeatable, customerId, 9);
    const second = await submitAs(t, repeatable, customerId, 10);

    expect([first.userErrors, second.userErrors]).toEqual([[], []]);
    expect(first.response.id).not.toBe(second.response.id);
  });

  it('stores a retried submit with the same idempotency key once, even where repeats are allowed', async () => {
    const repeatable = await activeSurvey(t, anNpsSurvey({ allowRepeats: true }));
    const customerId = await aCustomer(t, 'retrier');
    const input = { surveyId: repeatable, customerId, answers: npsAnswers(9), idempotencyKey: 'submit-1' };

    const first = await t.gql(SUBMIT, { input });
    const retry = await t.gql(SUBMIT, { input });
    const results = await t.gql(RESULTS, { id: repeatable });

    expect(retry.data!.surveyResponseSubmit).toMatchObject({ userErrors: [], response: { id: first.data!.surveyResponseSubmit.response.id } });
    expect(results.data!.survey.results.responses).toBe(1);
  });

  it('refuses answers to a DRAFT or CLOSED survey', async () => {
    const draft = (await t.gql(SURVEY_CREATE, { input: anNpsSurvey() })).data!.surveyCreate.survey.id;
    const closed = await activeSurvey(t);
    await t.gql(SURVEY_CLOSE, { id: closed });
    const customerId = await aCustomer(t, 'late');

    const toDraft = await submitAs(t, draft, customerId, 9);
    const toClosed = await submitAs(t, closed, customerId, 9);

    expect(toDraft.userErrors).toMatchObject([{ code: 'SURVEY_NOT_ACTIVE' }]);
    expect(toClosed.userErrors).toMatchObject([{ code: 'SURVEY_NOT_ACTIVE' }]);
  });

  it('lets the signed-in storefront customer answer for themself only', async () => {
    await aCustomer(t, 'shopper');
    const other = await aCustomer(t, 'victim');
    const headers = { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('shopper') };

    const res = await t.gql(SUBMIT, { input: { surveyId, customerId: other, answers: npsAnswers(7) } }, headers);
    const victimFree = await submitAs(t, surveyId, other, 7);

    expect(res.data!.surveyResponseSubmit).toMatchObject({ userErrors: [], response: { channel: 'STOREFRONT', npsCategory: 'PASSIVE' } });
    expect(victimFree.userErrors).toEqual([]);
  });

  it('lets the respondent edit within the edit window only', async () => {
    await aCustomer(t, 'editor');
    const headers = { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('editor', { expiresInSeconds: 3600 }) };
    const submitted = await t.gql(SUBMIT, { input: { surveyId, answers: npsAnswers(4, [{ questionKey: 'what-went-wrong', text: 'slow' }]) } }, headers);
    const id = submitted.data!.surveyResponseSubmit.response.id;
    await aCustomer(t, 'intruder');
    const intruder = { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('intruder', { expiresInSeconds: 3600 }) };

    t.clock.advance(29 * 60_000);
    const edited = await t.gql(UPDATE_RESPONSE, { input: { id, answers: npsAnswers(8) } }, headers);
    const byIntruder = await t.gql(UPDATE_RESPONSE, { input: { id, answers: npsAnswers(0) } }, intruder);
    const invalid = await t.gql(UPDATE_RESPONSE, { input: { id, answers: npsAnswers(12) } }, headers);
    t.clock.advance(2 * 60_000);
    const late = await t.gql(UPDATE_RESPONSE, { input: { id, answers: npsAnswers(10) } }, headers);
    t.clock.set('2026-03-01T12:00:00.000Z');

    expect(edited.data!.surveyResponseUpdate).toMatchObject({ userErrors: [], response: { score: 8, answers: [{ questionKey: 'score', rating: 8 }, { questionKey: 'channel' }] } });
    expect(byIntruder.data!.surveyResponseUpdate.userErrors).toMatchObject([{ code: 'NOT_FOUND' }]);
    expect(invalid.data!.surveyResponseUpdate.userErrors).toMatchObject([{ code: 'INVALID', field: ['input', 'answers', '0', 'rating'] }]);
    expect(late.data!.surveyResponseUpdate.userErrors).toMatchObject([{ code: 'RESPONSE_NOT_EDITABLE', field: ['input', 'id'] }]);
  });
});

describe('survey invitations', () => {
  let t: TestShop;
  let other: TestShop;
  let surveyId: string;
  let customerId: string;
  const anonymous = () => ({ authorization: `Bearer ${t.publishableKey}` });
  beforeAll(async () => {
    t = await aShop();
    other = await aShop();
    surveyId = await activeSurvey(t, anNpsSurvey({ allowRepeats: true }));
    customerId = await aCustomer(t, 'invitee');
  });

  it('answers once per invitation without a login, linked to the invited customer and order', async () => {
    const order = anOrder({ customer: { externalId: 'invitee' } });
    await t.gql(ORDER_RECORD, { input: order });
    const invited = await t.gql(INVITE, { input: { surveyId, customerId, orderId: order.orderId } });
    const token = invited.data!.surveyInvitationCreate.token as string;

    const shown = await t.gql(`query ($token: String!) { surveyByInvitation(token: $token) { id } }`, { token }, anonymous());
    const first = await t.gql(SUBMIT, { input: { surveyId, invitationToken: token, answers: npsAnswers(9) } }, anonymous());
    const reused = await t.gql(SUBMIT, { input: { surveyId, invitationToken: token, answers: npsAnswers(2) } }, anonymous());

    expect(invited.data!.surveyInvitationCreate).toMatchObject({ userErrors: [], invitation: { orderId: order.orderId, source: 'MANUAL', hasToken: true, expiresAt: '2026-03-15T12:00:00.000Z' } });
    expect(token.length).toBeGreaterThan(60);
    expect(shown.data!.surveyByInvitation.id).toBe(surveyId);
    expect(first.data!.surveyResponseSubmit).toMatchObject({ userErrors: [], response: { channel: 'INVITATION', orderId: order.orderId, score: 9 } });
    expect(reused.data!.surveyResponseSubmit).toMatchObject({ response: null, userErrors: [{ code: 'INVITATION_USED', field: ['input', 'invitationToken'] }] });
  });

  it('accepts exactly one of concurrent submits with one token', async () => {
    const token = (await t.gql(INVITE, { input: { surveyId, customerId } })).data!.surveyInvitationCreate.token;

    const results = await Promise.all(Array.from({ length: 5 }, () => t.gql(SUBMIT, { input: { surveyId, invitationToken: token, answers: npsAnswers(8) } }, anonymous())));

    expect(results.filter((r) => r.data!.surveyResponseSubmit.response !== null)).toHaveLength(1);
    expect(results.filter((r) => r.data!.surveyResponseSubmit.userErrors[0]?.code === 'INVITATION_USED')).toHaveLength(4);
  });

  it('lets the invitation holder edit the response within the window', async () => {
    const token = (await t.gql(INVITE, { input: { surveyId, customerId } })).data!.surveyInvitationCreate.token;
    const otherToken = (await t.gql(INVITE, { input: { surveyId, customerId } })).data!.surveyInvitationCreate.token;
    const submitted = await t.gql(SUBMIT, { input: { surveyId, invitationToken: token, answers: npsAnswers(5) } }, anonymous());
    const id = submitted.data!.surveyResponseSubmit.response.id;

    const withOtherToken = await t.gql(UPDATE_RESPONSE, { input: { id, invitationToken: otherToken, answers: npsAnswers(10) } }, anonymous());
    const edited = await t.gql(UPDATE_RESPONSE, { input: { id, invitationToken: token, answers: npsAnswers(6) } }, anonymous());
    const withoutToken = await t.gql(UPDATE_RESPONSE, { input: { id, answers: npsAnswers(10) } }, anonymous());

    expect(withOtherToken.data!.surveyResponseUpdate.userErrors).toMatchObject([{ code: 'NOT_FOUND' }]);
    expect(edited.data!.surveyResponseUpdate).toMatchObject({ userErrors: [], response: { score: 6 } });
    expect(withoutToken.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses an expired token', async () => {
    const token = (await t.gql(INVITE, { input: { surveyId, customerId, expiresInDays: 2 } })).data!.surveyInvitationCreate.token;

    t.clock.advance(2 * 24 * 60 * 60 * 1000);
    const res = await t.gql(SUBMIT, { input: { surveyId, invitationToken: token, answers: npsAnswers(8) } }, anonymous());
    t.clock.set('2026-03-01T12:00:00.000Z');

    expect(res.data!.surveyResponseSubmit.userErrors).toMatchObject([{ code: 'INVITATION_EXPIRED', field: ['input', 'invitationToken'] }]);
  });

  it.each([
    ['a forged secret', (token: string) => `${token.split('.')[0]}.${'A'.repeat(32)}`],
    ['a malformed token', () => 'not-a-token'],
  ])('refuses %s as not found', async (_case, forge) => {
    const token = (await t.gql(INVITE, { input: { surveyId, customerId } })).data!.surveyInvitationCreate.token;

    const res = await t.gql(SUBMIT, { input: { surveyId, invitationToken: forge(token), answers: npsAnswers(8) } }, anonymous());

    expect(res.data!.surveyResponseSubmit.userErrors).toMatchObject([{ code: 'NOT_FOUND', field: ['input', 'invitationToken'] }]);
  });

  it("refuses another shop's token", async () => {
    const token = (await t.gql(INVITE, { input: { surveyId, customerId } })).data!.surveyInvitationCreate.token;
    const otherSurvey = await activeSurvey(other);

    const res = await other.gql(SUBMIT, { input: { surveyId: otherSurvey, invitationToken: token, answers: npsAnswers(8) } }, { authorization: `Bearer ${other.publishableKey}` });
    const shown = await other.gql(`query ($token: String!) { surveyByInvitation(token: $token) { id } }`, { token }, { authorization: `Bearer ${other.publishableKey}` });

    expect(res.data!.surveyResponseSubmit.userErrors).toMatchObject([{ code: 'NOT_FOUND', field: ['input', 'invitationToken'] }]);
    expect(shown.data!.surveyByInvitation).toBeNull();
  });

  it('replays an idempotent invitation without its token', async () => {
    const input = { surveyId, customerId, idempotencyKey: 'invite-once' };

    const first = await t.gql(INVITE, { input });
    const replay = await t.gql(INVITE, { input });

    expect(replay.data!.surveyInvitationCreate).toMatchObject({ token: null, invitation: { id: first.data!.surveyInvitationCreate.invitation.id } });
  });

  it('invites a manual list, each customer with its own user errors', async () => {
    const second = await aCustomer(t, 'invitee-2');

    const res = await t.gql(
      `mutation ($input: SurveyInvitationsCreateInput!) { surveyInvitationsCreate(input: $input) { results { customerId token ${USER_ERRORS} } ${USER_ERRORS} } }`,
      { input: { surveyId, customerIds: [customerId, 'gid://retention/Customer/cus_missing', second] } },
    );

    const results = res.data!.surveyInvitationsCreate.results;
    expect(results.map((r: { token: string | null }) => r.token !== null)).toEqual([true, false, true]);
    expect(results[1].userErrors).toMatchObject([{ code: 'NOT_FOUND', field: ['input', 'customerId'] }]);
  });
});

describe('survey results', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop();
  });

  it('reports null scores and zero counts without responses', async () => {
    const id = await activeSurvey(t);

    const res = await t.gql(RESULTS, { id });

    expect(res.data!.survey.results).toMatchObject({ responses: 0, invitations: 0, responseRate: null, nps: { score: null, promoters: 0, passives: 0, detractors: 0 }, satisfaction: null, effort: null });
  });

  it('computes NPS, response rate and distributions per period', async () => {
    const id = await activeSurvey(t);
    const customers = await Promise.all(['n1', 'n2', 'n3', 'n4', 'n5'].map((x) => aCustomer(t, x)));
    for (const customerId of customers.slice(0, 4)) await t.gql(INVITE, { input: { surveyId: id, customerId } });
    await submitAs(t, id, customers[0]!, 10, [{ questionKey: 'liked', optionKeys: ['taste', 'price'] }]);
    await submitAs(t, id, customers[1]!, 9, [{ questionKey: 'liked', optionKeys: ['taste'] }]);
    await submitAs(t, id, customers[2]!, 7);
    await submitAs(t, id, customers[3]!, 3);
    t.clock.advance(31 * 24 * 60 * 60 * 1000);
    await submitAs(t, id, customers[4]!, 0);
    t.clock.set('2026-03-01T12:00:00.000Z');

    const march = await t.gql(RESULTS, { id, from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' });
    const all = await t.gql(RESULTS, { id });

    expect(march.data!.survey.results).toEqual({
      responses: 4,
      invitations: 4,
      responseRate: 100,
      nps: { score: 25, promoters: 2, passives: 1, detractors: 1, responses: 4 },
      satisfaction: null,
      effort: null,
      scoreDistribution: [{ value: 3, count: 1 }, { value: 7, count: 1 }, { value: 9, count: 1 }, { value: 10, count: 1 }],
      questions: [
        { questionKey: 'channel', answered: 4, options: [{ optionKey: 'web', count: 4 }, { optionKey: 'shop', count: 0 }], ratings: [] },
        { questionKey: 'liked', answered: 2, options: [{ optionKey: 'taste', count: 2 }, { optionKey: 'price', count: 1 }, { optionKey: 'service', count: 0 }], ratings: [] },
      ],
    });
    expect(all.data!.survey.results).toMatchObject({ responses: 5, invitations: 4, responseRate: 125, nps: { score: 0, promoters: 2, detractors: 2 } });
  });

  it.each([
    ['all passives give 0', [7, 8, 7], 0],
    ['one detractor gives -100', [6], -100],
  ])('NPS: %s', async (_case, scores, expected) => {
    const id = await activeSurvey(t);
    for (const [i, score] of scores.entries()) await submitAs(t, id, await aCustomer(t, `edge-${expected}-${i}`), score);

    const res = await t.gql(RESULTS, { id });

    expect(res.data!.survey.results.nps.score).toBe(expected);
  });

  it('computes CSAT as the share of 4-5 and CES as the mean', async () => {
    const csat = await activeSurvey(t, aSurveyOfKind('CSAT'));
    const ces = await activeSurvey(t, aSurveyOfKind('CES'));
    for (const [i, score] of [5, 4, 3, 1].entries()) {
      await t.gql(SUBMIT, { input: { surveyId: csat, customerId: await aCustomer(t, `csat-${i}`), answers: [{ questionKey: 'score', rating: score }] } });
      await t.gql(SUBMIT, { input: { surveyId: ces, customerId: await aCustomer(t, `ces-${i}`), answers: [{ questionKey: 'score', rating: score + 2 }] } });
    }

    const csatResults = await t.gql(RESULTS, { id: csat });
    const cesResults = await t.gql(RESULTS, { id: ces });

    expect(csatResults.data!.survey.results).toMatchObject({ nps: null, satisfaction: { score: 50, satisfied: 2, responses: 4, satisfiedFrom: 4 }, effort: null });
    expect(cesResults.data!.survey.results).toMatchObject({ nps: null, satisfaction: null, effort: { mean: 5.25, sum: 21, responses: 4 } });
  });

  it('pages through the latest comments, newest first', async () => {
    const id = await activeSurvey(t);
    for (const [i, text] of ['first', 'second', 'third'].entries()) {
      t.clock.advance(60_000);
      await submitAs(t, id, await aCustomer(t, `commenter-${i}`), 2, [{ questionKey: 'what-went-wrong', text }]);
    }
    await submitAs(t, id, await aCustomer(t, 'silent'), 8);
    t.clock.set('2026-03-01T12:00:00.000Z');

    const page1 = await t.gql(COMMENTS, { id, first: 2 });
    const page2 = await t.gql(COMMENTS, { id, first: 2, after: page1.data!.survey.latestComments.pageInfo.endCursor });

    const texts = (page: typeof page1) => page.data!.survey.latestComments.nodes.map((n: { answers: Array<{ text: string | null }> }) => n.answers.find((a) => a.text)?.text);
    expect(texts(page1)).toEqual(['third', 'second']);
    expect(texts(page2)).toEqual(['first']);
  });
});

describe('closing the loop', () => {
  let t: TestShop;
  let surveyId: string;
  beforeAll(async () => {
    t = await aShop();
    surveyId = await activeSurvey(t);
  });

  it('puts a detractor on the follow-up list, to be resolved with a note', async () => {
    const customerId = await aCustomer(t, 'unhappy');
    const submitted = await submitAs(t, surveyId, customerId, 4);
    const list = `query ($status: FeedbackFollowUpStatus) { feedbackFollowUps(status: $status) { nodes { id status reason score note customer { id } response { score } } } }`;

    const open = await t.gql(list, {});
    const followUpId = open.data!.feedbackFollowUps.nodes[0].id;
    const resolved = await t.gql(`mutation ($input: FeedbackFollowUpResolveInput!) { feedbackFollowUpResolve(input: $input) { followUp { status note resolvedAt } ${USER_ERRORS} } }`, { input: { id: followUpId, note: 'Called, sent a voucher' } });
    const stillOpen = await t.gql(list, {});
    const done = await t.gql(list, { status: 'RESOLVED' });

    expect(submitted.followUpCreated).toBe(true);
    expect(open.data!.feedbackFollowUps.nodes).toEqual([{ id: followUpId, status: 'OPEN', reason: 'DETRACTOR', score: 4, note: null, customer: { id: customerId }, response: { score: 4 } }]);
    expect(resolved.data!.feedbackFollowUpResolve).toEqual({ userErrors: [], followUp: { status: 'RESOLVED', note: 'Called, sent a voucher', resolvedAt: '2026-03-01T12:00:00.000Z' } });
    expect(stillOpen.data!.feedbackFollowUps.nodes).toEqual([]);
    expect(done.data!.feedbackFollowUps.nodes).toHaveLength(1);
  });

  it('puts a CSAT of 1-2 on the list but not a 3', async () => {
    const csat = await activeSurvey(t, aSurveyOfKind('CSAT'));

    const low = await t.gql(SUBMIT, { input: { surveyId: csat, customerId: await aCustomer(t, 'csat-low'), answers: [{ questionKey: 'score', rating: 2 }] } });
    const mid = await t.gql(SUBMIT, { input: { surveyId: csat, customerId: await aCustomer(t, 'csat-mid'), answers: [{ questionKey: 'score', rating: 3 }] } });

    expect(low.data!.surveyResponseSubmit.followUpCreated).toBe(true);
    expect(mid.data!.surveyResponseSubmit.followUpCreated).toBe(false);
  });

  it("shows the customer's latest NPS category", async () => {
    const customerId = await aCustomer(t, 'changing');
    const later = await activeSurvey(t);
    await submitAs(t, surveyId, customerId, 2);
    t.clock.advance(60_000);
    await submitAs(t, later, customerId, 10);
    t.clock.set('2026-03-01T12:00:00.000Z');
    const fresh = await aCustomer(t, 'silent-one');

    const res = await t.gql(`query ($a: ID!, $b: ID!) { a: customer(id: $a) { latestNpsCategory } b: customer(id: $b) { latestNpsCategory } }`, { a: customerId, b: fresh });

    expect(res.data).toEqual({ a: { latestNpsCategory: 'PROMOTER' }, b: { latestNpsCategory: null } });
  });
});

describe('survey access', () => {
  let t: TestShop;
  let other: TestShop;
  let surveyId: string;
  beforeAll(async () => {
    t = await aShop();
    other = await aShop();
    surveyId = await activeSurvey(t);
  });

  it('needs SURVEYS_WRITE to create and SURVEYS_READ to read results', async () => {
    const readOnly = { authorization: `Bearer ${await t.keyWith(['SURVEYS_READ'])}` };
    const writeOnly = { authorization: `Bearer ${await t.keyWith(['SURVEYS_WRITE'])}` };

    const create = await t.gql(SURVEY_CREATE, { input: anNpsSurvey() }, readOnly);
    const read = await t.gql(RESULTS, { id: surveyId }, readOnly);
    const readWithoutScope = await t.gql(RESULTS, { id: surveyId }, writeOnly);
    const customerId = await aCustomer(t, 'scoped');
    const submitWithoutScope = await t.gql(SUBMIT, { input: { surveyId, customerId, answers: npsAnswers(9) } }, readOnly);

    expect(create.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(read.data!.survey.results.responses).toBe(0);
    expect(readWithoutScope.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(submitWithoutScope.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('shows a storefront the ACTIVE survey but not its results or drafts', async () => {
    const draft = (await t.gql(SURVEY_CREATE, { input: anNpsSurvey() })).data!.surveyCreate.survey.id;
    const storefront = { authorization: `Bearer ${t.publishableKey}` };

    const active = await t.gql(`query ($id: ID!) { survey(id: $id) { id status } }`, { id: surveyId }, storefront);
    const hidden = await t.gql(`query ($id: ID!) { survey(id: $id) { id } }`, { id: draft }, storefront);
    const results = await t.gql(RESULTS, { id: surveyId }, storefront);
    const anonymousSubmit = await t.gql(SUBMIT, { input: { surveyId, answers: npsAnswers(9) } }, storefront);

    expect(active.data!.survey).toEqual({ id: surveyId, status: 'ACTIVE' });
    expect(hidden.data!.survey).toBeNull();
    expect(results.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(anonymousSubmit.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("keeps one shop's surveys and customers from another", async () => {
    const theirCustomer = await aCustomer(other, 'outsider');
    const ourCustomer = await aCustomer(t, 'insider');

    const read = await other.gql(`query ($id: ID!) { survey(id: $id) { id } }`, { id: surveyId });
    const submit = await other.gql(SUBMIT, { input: { surveyId, customerId: theirCustomer, answers: npsAnswers(9) } });
    const invite = await other.gql(INVITE, { input: { surveyId, customerId: theirCustomer } });
    const crossCustomer = await t.gql(SUBMIT, { input: { surveyId, customerId: theirCustomer, answers: npsAnswers(9) } });
    const list = await other.gql(`{ surveys { nodes { id } } feedbackFollowUps { nodes { id } } }`);
    await submitAs(t, surveyId, ourCustomer, 1);

    expect(read.data!.survey).toBeNull();
    expect(submit.data!.surveyResponseSubmit.userErrors).toMatchObject([{ code: 'NOT_FOUND', field: ['input', 'surveyId'] }]);
    expect(invite.data!.surveyInvitationCreate.userErrors).toMatchObject([{ code: 'NOT_FOUND', field: ['input', 'surveyId'] }]);
    expect(crossCustomer.data!.surveyResponseSubmit.userErrors).toMatchObject([{ code: 'NOT_FOUND', field: ['input', 'customerId'] }]);
    expect(list.data).toEqual({ surveys: { nodes: [] }, feedbackFollowUps: { nodes: [] } });
  });
});

describe('survey stream projections', () => {
  let t: TestShop;
  let poller: StreamPoller;
  beforeAll(async () => {
    t = await aShop();
    const handler = createStreamHandler([postPurchaseInvitationsProjection(t.clock), feedbackErasureProjection(t.clock)]);
    poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, handler, intervalMs: 0 });
  });
  afterAll(async () => {
    await poller?.stop();
  });

  it('schedules one post-purchase invitation per order, due N days later, even when redelivered', async () => {
    const surveyId = await activeSurvey(t, anNpsSurvey({ postPurchaseDelayDays: 7 }));
    const history = anOrder({ customer: { externalId: 'buyer' }, placedAt: '2026-02-01T10:00:00Z' });
    const order = anOrder({ customer: { externalId: 'buyer' }, placedAt: '2026-03-01T12:30:00Z' });
    await t.gql(ORDER_RECORD, { input: history });
    await t.gql(ORDER_RECORD, { input: order });
    await poller.drain();
    await t.gql(ORDER_RECORD, { input: order });
    await t.gql(`mutation ($input: OrderRefundInput!) { orderRefund(input: $input) { ${USER_ERRORS} } }`, { input: { orderId: order.orderId, refundId: 'r1', amount: 100 } });
    await poller.drain();
    const query = `query ($id: ID!, $dueBy: DateTime) { survey(id: $id) { invitations(dueBy: $dueBy) { nodes { id orderId source sendAfter hasToken } } } }`;

    const all = await t.gql(query, { id: surveyId });
    const dueNow = await t.gql(query, { id: surveyId, dueBy: '2026-03-02T00:00:00Z' });
    const dueLater = await t.gql(query, { id: surveyId, dueBy: '2026-03-09T00:00:00Z' });
    const issued = await t.gql(`mutation ($input: SurveyInvitationTokenIssueInput!) { surveyInvitationTokenIssue(input: $input) { token invitation { hasToken } ${USER_ERRORS} } }`, { input: { id: all.data!.survey.invitations.nodes[0].id } });
    const answered = await t.gql(SUBMIT, { input: { surveyId, invitationToken: issued.data!.surveyInvitationTokenIssue.token, answers: npsAnswers(10) } }, { authorization: `Bearer ${t.publishableKey}` });

    expect(all.data!.survey.invitations.nodes).toEqual([{ id: expect.any(String), orderId: order.orderId, source: 'POST_PURCHASE', sendAfter: '2026-03-08T12:30:00.000Z', hasToken: false }]);
    expect(dueNow.data!.survey.invitations.nodes).toEqual([]);
    expect(dueLater.data!.survey.invitations.nodes).toHaveLength(1);
    expect(issued.data!.surveyInvitationTokenIssue).toMatchObject({ userErrors: [], invitation: { hasToken: true } });
    expect(answered.data!.surveyResponseSubmit).toMatchObject({ userErrors: [], response: { orderId: order.orderId } });
  });

  it("removes an erased customer's free text and links from responses but keeps the scores", async () => {
    const surveyId = await activeSurvey(t);
    const order = anOrder({ customer: { externalId: 'forget-me' }, placedAt: '2026-03-01T11:00:00Z' });
    const customerId = (await t.gql(ORDER_RECORD, { input: order })).data!.orderRecord.order.customer.id;
    const keeperId = await aCustomer(t, 'keeper');
    const submitted = await t.gql(SUBMIT, { input: { surveyId, customerId, orderId: order.orderId, answers: npsAnswers(3, [{ questionKey: 'what-went-wrong', text: 'My name is Erika, call me' }]) } });
    await submitAs(t, surveyId, keeperId, 10, [{ questionKey: 'what-you-liked', text: 'Great' }]);
    const before = await t.gql(RESULTS, { id: surveyId });
    const responseId = submitted.data!.surveyResponseSubmit.response.id;

    await t.gql(`mutation ($id: ID!) { customerErase(input: { id: $id }) { ${USER_ERRORS} } }`, { id: customerId });
    await poller.drain();

    const response = await t.gql(`query ($id: ID!) { surveyResponse(id: $id) { score npsCategory orderId erasedAt answers { questionKey rating optionKeys text } } }`, { id: responseId });
    const after = await t.gql(RESULTS, { id: surveyId });
    const comments = await t.gql(COMMENTS, { id: surveyId });
    expect(response.data!.surveyResponse).toEqual({
      score: 3,
      npsCategory: 'DETRACTOR',
      orderId: null,
      erasedAt: '2026-03-01T12:00:00.000Z',
      answers: [
        { questionKey: 'score', rating: 3, optionKeys: null, text: null },
        { questionKey: 'channel', rating: null, optionKeys: ['web'], text: null },
      ],
    });
    expect(after.data!.survey.results).toEqual(before.data!.survey.results);
    expect(comments.data!.survey.latestComments.nodes.map((n: { answers: Array<{ text: string | null }> }) => n.answers.find((a) => a.text)?.text)).toEqual(['Great']);
  });
});
