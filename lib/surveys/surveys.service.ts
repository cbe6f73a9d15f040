import { randomUUID } from 'node:crypto';
import { ZodError } from 'zod';
import { NotFoundError } from '../common/errors.js';
import { randomToken, safeEqual, sha256Hex } from '../common/hash.js';
import { getCustomer } from '../customers/index.js';
import { pageFromKeyedItems, type Page } from '../db/pagination.js';
import { db } from '../db/service.js';
import { backoff, maxOptimisticAttempts, writeTransaction, type TxItem } from '../db/transactions.js';
import { isConditionFailure } from '../idempotency/index.js';
import { getOrder } from '../orders/index.js';
import { validateAnswers, type AnswerInput, type StoredAnswer } from './answers.js';
import { definitionIssues, scoreQuestionKey, standardScales, type DefinitionIssue, type Scale, type SurveyQuestion } from './definition.js';
import { effort, followUpReason, npsCategory, nps, responseRate, satisfaction, type NpsCategory } from './scores.js';
import {
  CustomerRequiredError,
  FollowUpNotFoundError,
  InvitationExpiredError,
  InvitationNotFoundError,
  InvitationUsedError,
  ResponseNotEditableError,
  ResponseNotFoundError,
  SurveyAlreadyAnsweredError,
  SurveyNotActiveError,
  SurveyNotDraftError,
  SurveyNotFoundError,
} from './surveys.errors.js';
import type { FeedbackFollowUpItem, SurveyInvitationItem, SurveyItem, SurveyResponseItem } from './surveys.entities.js';
import type { QuestionInput, SurveyCreateInput, SurveyUpdateInput } from './surveys.inputs.js';
import { loadCustomerReferral } from '../referrals/index.js';
import { responseEventItems } from './response-events.js';
import { errorFields, logger } from '../common/logger.js';

const dayMs = 24 * 60 * 60 * 1000;
const defaultInvitationExpiryDays = 14;

/** Several issues at once, reported like zod's (user errors with paths relative to the input). */
function invalid(issues: DefinitionIssue[]): ZodError {
  return new ZodError(issues.map((issue) => ({ code: 'custom' as const, path: issue.path.map(String), message: issue.message, input: undefined })));
}

function questionFrom(input: QuestionInput): SurveyQuestion {
  return {
    key: input.key,
    type: input.type,
    required: input.required,
    texts: input.texts,
    ...(input.type === 'RATING' ? { min: input.min ?? undefined, max: input.max ?? undefined, labels: input.labels } : {}),
    ...(input.type === 'SINGLE_CHOICE' || input.type === 'MULTIPLE_CHOICE' ? { options: input.options } : {}),
    ...(input.type === 'TEXT' ? { maxLength: input.maxLength ?? undefined } : {}),
    ...(input.showWhenScore ? { showWhenScore: input.showWhenScore } : {}),
  };
}

function scoreQuestionFrom(input: SurveyCreateInput['scoreQuestion'], scale: Scale): SurveyQuestion {
  return { key: scoreQuestionKey, type: 'RATING', required: true, texts: input.texts, min: scale.min, max: scale.max, labels: input.labels };
}

/** The survey's questions, score question first. */
export function questionsOf(survey: SurveyItem): SurveyQuestion[] {
  return survey.questions as SurveyQuestion[];
}

export function scaleOf(survey: SurveyItem): Scale {
  return { min: survey.scaleMin, max: survey.scaleMax, satisfiedFrom: survey.satisfiedFrom };
}

interface PagedQuery {
  go(options: { cursor: string | null; limit: number; order?: 'asc' | 'desc'; data: 'includeKeys' }): Promise<{ data: unknown[]; cursor: string | null }>;
}

/**
 * Given a (possibly filtered) query, returns up to `first` items: DynamoDB applies a filter after
 * its Limit, so a filtered page is collected over as many requests as it takes.
 */
async function collectPage<T>(query: PagedQuery, index: 'gsi1' | 'gsi2' | 'gsi3', first: number, cursor: string | null, order: 'asc' | 'desc' = 'asc'): Promise<Page<T>> {
  const rows: Array<Record<string, unknown>> = [];
  let next = cursor;
  do {
    const result = await query.go({ cursor: next, limit: first - rows.length, order, data: 'includeKeys' });
    rows.push(...(result.data as Array<Record<string, unknown>>));
    next = result.cursor;
  } while (next !== null && rows.length < first);
  return pageFromKeyedItems<T>(rows, index, next);
}

/** Reads one survey within a shop. */
export async function getSurvey(tenantId: string, surveyId: string): Promise<SurveyItem | undefined> {
  return (await db().entities.survey.get({ tenantId, surveyId }).go({ consistent: true })).data ?? undefined;
}

/** Lists a shop's surveys, one page at a time, optionally by status. */
export async function listSurveys(args: { tenantId: string; first: number; cursor: string | null; status?: SurveyItem['status'] | null }): Promise<Page<SurveyItem>> {
  const query = db().entities.survey.query.surveysByShop({ tenantId: args.tenantId });
  const filtered = args.status ? query.where((attr, op) => op.eq(attr.status, args.status!)) : query;
  return collectPage<SurveyItem>(filtered as unknown as PagedQuery, 'gsi3', args.first, args.cursor);
}

/** Creates a DRAFT survey after checking its definition (locales, keys, scales, bands). */
export async function createSurvey(tenantId: string, input: SurveyCreateInput, now: Date): Promise<SurveyItem> {
  const scale = input.kind === 'CUSTOM' ? input.scale! : standardScales[input.kind];
  const scoreQuestion = scoreQuestionFrom(input.scoreQuestion, scale);
  const questions = input.questions.map(questionFrom);
  const issues = definitionIssues({ kind: input.kind, scale, defaultLocale: input.defaultLocale, scoreQuestion, questions, scalePath: ['scale'] });
  if (issues.length) throw invalid(issues);
  const survey: SurveyItem = {
    tenantId,
    surveyId: `srv_${randomUUID().replace(/-/g, '')}`,
    name: input.name,
    kind: input.kind,
    status: 'DRAFT',
    defaultLocale: input.defaultLocale,
    scaleMin: scale.min,
    scaleMax: scale.max,
    satisfiedFrom: scale.satisfiedFrom,
    questions: [scoreQuestion, ...questions],
    allowRepeats: input.allowRepeats ?? false,
    editWindowMinutes: input.editWindowMinutes ?? 30,
    ...(input.postPurchaseDelayDays !== null && input.postPurchaseDelayDays !== undefined ? { postPurchaseDelayDays: input.postPurchaseDelayDays } : {}),
    invitationExpiryDays: input.invitationExpiryDays ?? defaultInvitationExpiryDays,
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await db().entities.survey.create(survey).go();
  return survey;
}

/**
 * Updates a survey. Name and settings change in any status; questions, scale and locales only in
 * DRAFT (answers already given must keep meaning what they meant).
 */
export async function updateSurvey(tenantId: string, surveyId: string, input: SurveyUpdateInput, now: Date): Promise<SurveyItem> {
  for (let attempt = 0; attempt < maxOptimisticAttempts; attempt++) {
    const survey = await getSurvey(tenantId, surveyId);
    if (!survey) throw new SurveyNotFoundError(['id']);
    const definitionFields = (['defaultLocale', 'scoreQuestion', 'questions', 'scale'] as const).filter((f) => input[f] !== null && input[f] !== undefined);
    if (definitionFields.length && survey.status !== 'DRAFT') throw new SurveyNotDraftError(survey.status, [definitionFields[0]!]);
    if (input.scale && survey.kind !== 'CUSTOM') throw invalid([{ path: ['scale'], message: `${survey.kind} has a fixed scale` }]);
    const scale = input.scale ?? scaleOf(survey);
    const [oldScore, ...oldQuestions] = questionsOf(survey);
    const scoreQuestion = input.scoreQuestion ? scoreQuestionFrom(input.scoreQuestion, scale) : { ...oldScore!, min: scale.min, max: scale.max };
    const questions = input.questions ? input.questions.map(questionFrom) : oldQuestions;
    const defaultLocale = input.defaultLocale ?? survey.defaultLocale;
    if (definitionFields.length) {
      const issues = definitionIssues({ kind: survey.kind, scale, defaultLocale, scoreQuestion, questions, scalePath: ['scale'] });
      if (issues.length) throw invalid(issues);
    }
    const setting = <K extends 'allowRepeats' | 'editWindowMinutes' | 'invitationExpiryDays'>(k: K) =>
      input[k] !== null && input[k] !== undefined ? { [k]: input[k] } : {};
    try {
      await db()
        .entities.survey.patch({ tenantId, surveyId })
        .set({
          ...(input.name ? { name: input.name } : {}),
          ...setting('allowRepeats'),
          ...setting('editWindowMinutes'),
          ...setting('invitationExpiryDays'),
          ...(input.postPurchaseDelayDays !== null && input.postPurchaseDelayDays !== undefined ? { postPurchaseDelayDays: input.postPurchaseDelayDays } : {}),
          ...(definitionFields.length
            ? { defaultLocale, scaleMin: scale.min, scaleMax: scale.max, satisfiedFrom: scale.satisfiedFrom, questions: [scoreQuestion, ...questions] }
            : {}),
          updatedAt: now.toISOString(),
          version: survey.version + 1,
        })
        .where((attr, op) => op.eq(attr.version, survey.version))
        .go();
      return (await getSurvey(tenantId, surveyId))!;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      await backoff(attempt);
    }
  }
  throw new Error('surveyUpdate: too much contention on this survey');
}

/** DRAFT → ACTIVE, ACTIVE → CLOSED; repeating a transition that already happened changes nothing. */
export async function transitionSurvey(tenantId: string, surveyId: string, to: 'ACTIVE' | 'CLOSED', now: Date): Promise<SurveyItem> {
  const from = to === 'ACTIVE' ? 'DRAFT' : 'ACTIVE';
  const survey = await getSurvey(tenantId, surveyId);
  if (!survey) throw new SurveyNotFoundError(['id']);
  if (survey.status === to) return survey;
  if (survey.status !== from) throw to === 'ACTIVE' ? new SurveyNotDraftError(survey.status) : new SurveyNotActiveError(survey.status, ['id']);
  try {
    await db()
      .entities.survey.patch({ tenantId, surveyId })
      .set({ status: to, updatedAt: now.toISOString(), version: survey.version + 1, ...(to === 'ACTIVE' ? { activatedAt: now.toISOString() } : { closedAt: now.toISOString() }) })
      .where((attr, op) => op.eq(attr.status, from))
      .go();
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const after = (await getSurvey(tenantId, surveyId))!;
  if (after.status !== to) throw new SurveyNotActiveError(after.status, ['id']);
  return after;
}

// ---------------------------------------------------------------------------------------------
// Invitations

function tokenFor(invitationId: string): { token: string; secretHash: string } {
  const secret = randomToken(24);
  return { token: `${invitationId}.${secret}`, secretHash: sha256Hex(secret) };
}

/** Reads an invitation by id within a shop. */
export async function getInvitation(tenantId: string, invitationId: string): Promise<SurveyInvitationItem | undefined> {
  return (await db().entities.surveyInvitation.get({ tenantId, invitationId }).go({ consistent: true })).data ?? undefined;
}

/**
 * Creates a single-use invitation for one customer (and optionally the order it is about) and
 * returns its token, shown once: only the hash of its secret is stored.
 */
export async function createInvitation(
  tenantId: string,
  args: { surveyId: string; customerId: string; orderId?: string | null; expiresInDays?: number | null },
  now: Date,
): Promise<{ invitation: SurveyInvitationItem; token: string }> {
  const survey = await getSurvey(tenantId, args.surveyId);
  if (!survey) throw new SurveyNotFoundError();
  if (survey.status !== 'ACTIVE') throw new SurveyNotActiveError(survey.status);
  const customer = await getCustomer(tenantId, args.customerId);
  if (!customer || customer.erasedAt) throw new CustomerRequiredError();
  if (args.orderId) {
    const order = await getOrder(tenantId, args.orderId);
    if (!order || order.customerId !== customer.customerId) throw new NotFoundError('No such order of this customer', ['orderId']);
  }
  const invitationId = `inv_${randomUUID().replace(/-/g, '')}`;
  const { token, secretHash } = tokenFor(invitationId);
  const invitation: SurveyInvitationItem = {
    tenantId,
    invitationId,
    surveyId: survey.surveyId,
    customerId: customer.customerId,
    ...(args.orderId ? { orderId: args.orderId } : {}),
    source: 'MANUAL',
    secretHash,
    sendAfter: now.toISOString(),
    expiresAt: new Date(now.getTime() + (args.expiresInDays ?? survey.invitationExpiryDays) * dayMs).toISOString(),
    createdAt: now.toISOString(),
  };
  await db().entities.surveyInvitation.create(invitation).go();
  return { invitation, token };
}

/**
 * Issues a (new) token for an unused invitation, e.g. a post-purchase one the email tool is about
 * to send; a previous token of it stops working.
 */
export async function issueInvitationToken(tenantId: string, invitationId: string, expiresInDays: number | null | undefined, now: Date) {
  const invitation = await getInvitation(tenantId, invitationId);
  if (!invitation) throw new InvitationNotFoundError(['id']);
  if (invitation.usedAt) throw new InvitationUsedError();
  const survey = await getSurvey(tenantId, invitation.surveyId);
  const { token, secretHash } = tokenFor(invitationId);
  const expiresAt = new Date(now.getTime() + (expiresInDays ?? survey?.invitationExpiryDays ?? defaultInvitationExpiryDays) * dayMs).toISOString();
  try {
    await db()
      .entities.surveyInvitation.patch({ tenantId, invitationId })
      .set({ secretHash, expiresAt })
      .where((attr, op) => op.notExists(attr.usedAt))
      .go();
  } catch (error) {
    if (isConditionFailure(error)) throw new InvitationUsedError();
    throw error;
  }
  return { invitation: { ...invitation, secretHash, expiresAt }, token };
}

/**
 * Given a token, returns its invitation when the token is this shop's, its secret matches and it
 * is neither used nor expired; otherwise throws the matching invitation error.
 */
export async function invitationForToken(tenantId: string, token: string, now: Date, options: { allowUsed?: boolean } = {}): Promise<SurveyInvitationItem> {
  const [invitationId, secret, extra] = token.split('.');
  if (!invitationId || !secret || extra !== undefined) throw new InvitationNotFoundError();
  const invitation = await getInvitation(tenantId, invitationId);
  if (!invitation?.secretHash || !safeEqual(invitation.secretHash, sha256Hex(secret))) throw new InvitationNotFoundError();
  if (invitation.usedAt && !options.allowUsed) throw new InvitationUsedError();
  if (!invitation.usedAt && invitation.expiresAt && Date.parse(invitation.expiresAt) <= now.getTime()) throw new InvitationExpiredError(invitation.expiresAt);
  return invitation;
}

/** Lists a survey's invitations by due time; `dueBy` keeps those due by then and not yet used. */
export async function listInvitations(args: { tenantId: string; surveyId: string; first: number; cursor: string | null; dueBy?: string | null }) {
  const base = db().entities.surveyInvitation.query.invitationsBySurvey({ tenantId: args.tenantId, surveyId: args.surveyId });
  const query = args.dueBy ? base.lte({ sendAfter: args.dueBy }).where((attr, op) => op.notExists(attr.usedAt)) : base;
  return collectPage<SurveyInvitationItem>(query as unknown as PagedQuery, 'gsi1', args.first, args.cursor);
}

/**
 * Given a newly recorded order, schedules one invitation per ACTIVE survey with a post-purchase
 * trigger, due `postPurchaseDelayDays` after the order. The invitation id is derived from (survey,
 * order) and created with attribute_not_exists, so a redelivered stream record never invites
 * twice. Orders placed before the survey was activated (history imports) are not invited.
 */
export async function schedulePostPurchaseInvitations(tenantId: string, order: { orderId: string; customerId: string; placedAt: string }, now: Date): Promise<number> {
  const surveys = (await db().entities.survey.query.surveysByShop({ tenantId }).go({ pages: 'all' })).data.filter(
    (s) => s.status === 'ACTIVE' && s.postPurchaseDelayDays !== undefined && s.activatedAt !== undefined && order.placedAt >= s.activatedAt,
  );
  let created = 0;
  for (const survey of surveys) {
    const invitationId = `pp_${sha256Hex(`${survey.surveyId}:${order.orderId}`).slice(0, 32)}`;
    try {
      await db()
        .entities.surveyInvitation.create({
          tenantId,
          invitationId,
          surveyId: survey.surveyId,
          customerId: order.customerId,
          orderId: order.orderId,
          source: 'POST_PURCHASE',
          sendAfter: new Date(Date.parse(order.placedAt) + survey.postPurchaseDelayDays! * dayMs).toISOString(),
          createdAt: now.toISOString(),
        })
        .go();
      created++;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  return created;
}

// ---------------------------------------------------------------------------------------------
// Responses

export type Respondent = { channel: 'STOREFRONT' | 'PARTNER'; customerId: string } | { channel: 'INVITATION'; token: string };

export interface SubmitResult {
  response: SurveyResponseItem;
  followUp: FeedbackFollowUpItem | null;
  /** The promoter's referral code for the storefront to show (null until referrals exist). */
  referralCode: string | null;
}

/**
 * Closing the loop: a promoter is handed their referral code (created on first use) so the
 * storefront can invite them to refer a friend; null while the shop runs no referral program.
 */
export async function referralCodeForPromoter(tenantId: string, customerId: string, now: Date): Promise<string | null> {
  try {
    const referral = await loadCustomerReferral(tenantId, customerId, now.toISOString());
    return referral?.program.enabled ? referral.member.code : null;
  } catch (error) {
    // The response is stored by now: a referral hiccup must not turn its success into an error.
    logger.error('referral code for promoter failed', { shop: tenantId, error: errorFields(error) });
    return null;
  }
}

/**
 * Validates and stores a response. Every answer is checked against its question (all issues are
 * reported, nothing stored). One response per invitation (a conditional write on the invitation)
 * and, unless the survey allows repeats, one per customer and survey (a claim item created with
 * attribute_not_exists in the same transaction), so concurrent submits store exactly one.
 */
export async function submitResponse(
  tenantId: string,
  args: { surveyId: string; respondent: Respondent; orderId?: string | null; locale?: string | null; answers: AnswerInput[] },
  now: Date,
): Promise<SubmitResult> {
  const survey = await getSurvey(tenantId, args.surveyId);
  if (!survey) throw new SurveyNotFoundError();
  let customerId: string;
  let orderId = args.orderId ?? undefined;
  let invitation: SurveyInvitationItem | undefined;
  if (args.respondent.channel === 'INVITATION') {
    invitation = await invitationForToken(tenantId, args.respondent.token, now);
    if (invitation.surveyId !== survey.surveyId) throw new InvitationNotFoundError();
    customerId = invitation.customerId;
    orderId = invitation.orderId ?? orderId;
    if (orderId && orderId !== (invitation.orderId ?? orderId)) throw new NotFoundError('No such order of this customer', ['orderId']);
  } else {
    customerId = args.respondent.customerId;
  }
  if (survey.status !== 'ACTIVE') throw new SurveyNotActiveError(survey.status);
  const customer = await getCustomer(tenantId, customerId);
  if (!customer || customer.erasedAt) throw new CustomerRequiredError();
  if (orderId && !invitation?.orderId) {
    const order = await getOrder(tenantId, orderId);
    if (!order || order.customerId !== customerId) throw new NotFoundError('No such order of this customer', ['orderId']);
  }
  const validated = validateAnswers(questionsOf(survey), args.answers);
  if (!validated.ok) throw invalid(validated.issues);
  const { score, answers, hasComment } = validated.value;

  const responseId = `rsp_${randomUUID().replace(/-/g, '')}`;
  const response: SurveyResponseItem = {
    tenantId,
    responseId,
    surveyId: survey.surveyId,
    kind: survey.kind,
    customerId,
    ...(orderId ? { orderId } : {}),
    ...(invitation ? { invitationId: invitation.invitationId } : {}),
    channel: args.respondent.channel,
    score,
    ...(survey.kind === 'NPS' ? { npsCategory: npsCategory(score) } : {}),
    answers,
    hasComment,
    ...(args.locale ? { locale: args.locale } : customer.locale ? { locale: customer.locale } : {}),
    submittedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    editableUntil: new Date(now.getTime() + survey.editWindowMinutes * 60_000).toISOString(),
    version: 1,
  };
  const reason = followUpReason(survey.kind, score);
  const followUp: FeedbackFollowUpItem | null = reason
    ? { tenantId, followUpId: responseId, surveyId: survey.surveyId, responseId, customerId, reason, score, status: 'OPEN', createdAt: now.toISOString() }
    : null;

  for (let attempt = 0; attempt < maxOptimisticAttempts; attempt++) {
    const kinds: Array<'claim' | 'invitation' | 'other'> = [];
    const outcome = await writeTransaction(db(), (entities) => {
      const items: TxItem[] = [entities.surveyResponse.create(response).commit()];
      kinds.push('other');
      if (!survey.allowRepeats) {
        items.push(
          entities.surveyClaim
            .create({ tenantId, surveyId: survey.surveyId, claimType: 'RESPONSE', subjectId: customerId, targetId: responseId, createdAt: now.toISOString() })
            .commit(),
        );
        kinds.push('claim');
      }
      if (invitation) {
        items.push(
          entities.surveyInvitation
            .patch({ tenantId, invitationId: invitation.invitationId })
            .set({ usedAt: now.toISOString(), responseId })
            .where((attr, op) => `${op.notExists(attr.usedAt)} AND ${op.eq(attr.secretHash, invitation.secretHash!)}`)
            .commit(),
        );
        kinds.push('invitation');
      }
      if (followUp) {
        items.push(entities.feedbackFollowUp.create(followUp).commit());
        kinds.push('other');
      }
      for (const event of responseEventItems(entities, response, followUp, now)) {
        items.push(event);
        kinds.push('other');
      }
      return items;
    });
    if (outcome.ok) {
      const referralCode = response.npsCategory === 'PROMOTER' ? await referralCodeForPromoter(tenantId, customerId, now) : null;
      return { response, followUp, referralCode };
    }
    const failed = outcome.reasons.map((r, i) => (r === 'ConditionalCheckFailed' ? kinds[i] : undefined));
    if (failed.includes('invitation')) throw new InvitationUsedError();
    if (failed.includes('claim')) throw new SurveyAlreadyAnsweredError();
    await backoff(attempt);
  }
  throw new Error('surveyResponseSubmit: too much contention');
}

/** Reads one response within a shop. */
export async function getResponse(tenantId: string, responseId: string): Promise<SurveyResponseItem | undefined> {
  return (await db().entities.surveyResponse.get({ tenantId, responseId }).go({ consistent: true })).data ?? undefined;
}

export type Editor = { channel: 'STOREFRONT'; customerId: string } | { channel: 'PARTNER' } | { channel: 'INVITATION'; token: string };

/**
 * Replaces a response's answers within its edit window (re-validated like a submit). The
 * respondent may edit: the signed-in customer, a partner, or the holder of the invitation used.
 * A score that newly calls for a follow-up adds one.
 */
export async function updateResponse(tenantId: string, responseId: string, editor: Editor, answers: AnswerInput[], now: Date): Promise<SurveyResponseItem> {
  for (let attempt = 0; attempt < maxOptimisticAttempts; attempt++) {
    const current = await getResponse(tenantId, responseId);
    if (!current || current.erasedAt) throw new ResponseNotFoundError();
    if (editor.channel === 'STOREFRONT' && editor.customerId !== current.customerId) throw new ResponseNotFoundError();
    if (editor.channel === 'INVITATION') {
      const invitation = await invitationForToken(tenantId, editor.token, now, { allowUsed: true });
      if (invitation.responseId !== responseId) throw new ResponseNotFoundError();
    }
    if (Date.parse(current.editableUntil) <= now.getTime()) throw new ResponseNotEditableError(current.editableUntil);
    const survey = (await getSurvey(tenantId, current.surveyId))!;
    const validated = validateAnswers(questionsOf(survey), answers);
    if (!validated.ok) throw invalid(validated.issues);
    const { score, hasComment } = validated.value;
    const reason = followUpReason(survey.kind, score);
    const existingFollowUp = reason ? await getFollowUp(tenantId, responseId) : undefined;
    const outcome = await writeTransaction(db(), (entities) => [
      entities.surveyResponse
        .patch({ tenantId, responseId })
        .set({
          score,
          answers: validated.value.answers,
          hasComment,
          ...(survey.kind === 'NPS' ? { npsCategory: npsCategory(score) } : {}),
          updatedAt: now.toISOString(),
          version: current.version + 1,
        })
        .where((attr, op) => op.eq(attr.version, current.version))
        .commit(),
      ...(reason && !existingFollowUp
        ? [
            entities.feedbackFollowUp
              .create({ tenantId, followUpId: responseId, surveyId: survey.surveyId, responseId, customerId: current.customerId, reason, score, status: 'OPEN', createdAt: now.toISOString() })
              .commit(),
          ]
        : []),
    ]);
    if (outcome.ok) return (await getResponse(tenantId, responseId))!;
    await backoff(attempt);
  }
  throw new Error('surveyResponseUpdate: too much contention on this response');
}

/** Lists a survey's responses that carry a free-text answer, newest first. */
export async function listComments(args: { tenantId: string; surveyId: string; first: number; cursor: string | null }): Promise<Page<SurveyResponseItem>> {
  const query = db()
    .entities.surveyResponse.query.responsesBySurvey({ tenantId: args.tenantId, surveyId: args.surveyId })
    .where((attr, op) => op.eq(attr.hasComment, true));
  return collectPage<SurveyResponseItem>(query as unknown as PagedQuery, 'gsi1', args.first, args.cursor, 'desc');
}

/** The latest NPS category of a customer's responses, or null when they answered no NPS survey. */
export async function latestNpsCategory(tenantId: string, customerId: string): Promise<NpsCategory | null> {
  let cursor: string | null = null;
  do {
    const result: { data: SurveyResponseItem[]; cursor: string | null } = await db()
      .entities.surveyResponse.query.responsesByCustomer({ tenantId, customerId })
      .where((attr, op) => op.exists(attr.npsCategory))
      .go({ cursor, order: 'desc', limit: 10 });
    if (result.data[0]?.npsCategory) return result.data[0].npsCategory;
    cursor = result.cursor;
  } while (cursor);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Results

export interface SurveyResults {
  from: string | null;
  to: string | null;
  responses: number;
  invitations: number;
  responseRate: number | null;
  nps: ReturnType<typeof nps> | null;
  satisfaction: ReturnType<typeof satisfaction> | null;
  effort: ReturnType<typeof effort> | null;
  scoreDistribution: Array<{ value: number; count: number }>;
  questions: Array<{ questionKey: string; answered: number; options: Array<{ optionKey: string; count: number }>; ratings: Array<{ value: number; count: number }> }>;
}

/**
 * Results of a survey over [from, to) (either end open), computed from a query of the survey's
 * responses and invitations in that period (never a table scan): NPS for NPS surveys,
 * satisfaction (CSAT %, or a CUSTOM survey's stated cut-off) for CSAT and CUSTOM, the mean for
 * CES; response rate = responses / invitations due in the period (METRICS.md).
 */
export async function surveyResults(tenantId: string, survey: SurveyItem, period: { from: string | null; to: string | null }, now: Date): Promise<SurveyResults> {
  const low = period.from ?? '0000';
  const high = period.to ?? '9999';
  // Invitations due up to and including now: a future post-purchase invitation is not sent yet.
  const justAfterNow = new Date(now.getTime() + 1).toISOString();
  const invitationsHigh = high < justAfterNow ? high : justAfterNow;
  const [responses, invitations] = await Promise.all([
    db()
      .entities.surveyResponse.query.responsesBySurvey({ tenantId, surveyId: survey.surveyId })
      .between({ submittedAt: low }, { submittedAt: high })
      .go({ pages: 'all', attributes: ['score', 'answers', 'submittedAt'] }),
    db()
      .entities.surveyInvitation.query.invitationsBySurvey({ tenantId, surveyId: survey.surveyId })
      .between({ sendAfter: low }, { sendAfter: invitationsHigh })
      .go({ pages: 'all', attributes: ['sendAfter'] }),
  ]);
  const inPeriod = responses.data.filter((r) => r.submittedAt! >= low && r.submittedAt! < high);
  const invited = invitations.data.filter((i) => i.sendAfter! >= low && i.sendAfter! < invitationsHigh).length;
  const scores = inPeriod.map((r) => r.score!);
  const counts = (values: number[]) => {
    const map = new Map<number, number>();
    for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
    return [...map].sort(([a], [b]) => a - b).map(([value, count]) => ({ value, count }));
  };
  const stored = inPeriod.map((r) => r.answers as StoredAnswer[]);
  const questions = questionsOf(survey)
    .filter((q) => q.key !== scoreQuestionKey && q.type !== 'TEXT')
    .map((q) => {
      const given = stored.flatMap((answers) => answers.filter((a) => a.questionKey === q.key));
      return {
        questionKey: q.key,
        answered: given.length,
        options: (q.options ?? []).map((o) => ({ optionKey: o.key, count: given.filter((a) => a.optionKeys?.includes(o.key)).length })),
        ratings: q.type === 'RATING' ? counts(given.map((a) => a.rating!).filter((v) => v !== undefined)) : [],
      };
    });
  return {
    from: period.from,
    to: period.to,
    responses: inPeriod.length,
    invitations: invited,
    responseRate: responseRate(inPeriod.length, invited),
    nps: survey.kind === 'NPS' ? nps(scores) : null,
    satisfaction: survey.kind === 'CSAT' || survey.kind === 'CUSTOM' ? satisfaction(scores, survey.satisfiedFrom) : null,
    effort: survey.kind === 'CES' ? effort(scores) : null,
    scoreDistribution: counts(scores),
    questions,
  };
}

// ---------------------------------------------------------------------------------------------
// Follow-ups

/** Reads a follow-up by id (the id of the response that caused it) within a shop. */
export async function getFollowUp(tenantId: string, followUpId: string): Promise<FeedbackFollowUpItem | undefined> {
  return (await db().entities.feedbackFollowUp.get({ tenantId, followUpId }).go({ consistent: true })).data ?? undefined;
}

/** Lists follow-ups by status, oldest first (the queue to work through). */
export async function listFollowUps(args: { tenantId: string; status: FeedbackFollowUpItem['status']; first: number; cursor: string | null }): Promise<Page<FeedbackFollowUpItem>> {
  const result = await db()
    .entities.feedbackFollowUp.query.followUpsByStatus({ tenantId: args.tenantId, status: args.status })
    .go({ cursor: args.cursor, limit: args.first, data: 'includeKeys' });
  return pageFromKeyedItems<FeedbackFollowUpItem>(result.data as Array<Record<string, unknown>>, 'gsi1', result.cursor);
}

/** Resolves an open follow-up with a note; resolving it again returns it as it is. */
export async function resolveFollowUp(tenantId: string, followUpId: string, note: string, now: Date): Promise<FeedbackFollowUpItem> {
  const current = await getFollowUp(tenantId, followUpId);
  if (!current) throw new FollowUpNotFoundError();
  if (current.status === 'RESOLVED') return current;
  try {
    await db()
      .entities.feedbackFollowUp.patch({ tenantId, followUpId })
      .set({ status: 'RESOLVED', note, resolvedAt: now.toISOString(), createdAt: current.createdAt })
      .where((attr, op) => op.eq(attr.status, 'OPEN'))
      .go();
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  return (await getFollowUp(tenantId, followUpId))!;
}

// ---------------------------------------------------------------------------------------------
// Erasure

/**
 * GDPR erasure of a customer's feedback: removes the free-text answers, the order and invitation
 * links, the locale, and the notes of their follow-ups; keeps the scores and choices (anonymous
 * once the customer record is erased) so that results do not change. Idempotent.
 */
export async function eraseCustomerFeedback(tenantId: string, customerId: string, now: Date): Promise<number> {
  const responses = (await db().entities.surveyResponse.query.responsesByCustomer({ tenantId, customerId }).go({ pages: 'all' })).data;
  let erased = 0;
  for (const response of responses) {
    if (response.erasedAt) continue;
    const kept = (response.answers as StoredAnswer[]).filter((a) => a.text === undefined);
    await db()
      .entities.surveyResponse.patch({ tenantId, responseId: response.responseId })
      .set({ answers: kept, hasComment: false, erasedAt: now.toISOString(), version: response.version + 1 })
      .remove(['orderId', 'invitationId', 'locale'])
      .go();
    if (response.invitationId) {
      await db()
        .entities.surveyInvitation.patch({ tenantId, invitationId: response.invitationId })
        .remove(['orderId', 'secretHash'])
        .go()
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    }
    const followUp = await getFollowUp(tenantId, response.responseId);
    if (followUp?.note) await db().entities.feedbackFollowUp.patch({ tenantId, followUpId: followUp.followUpId }).remove(['note']).go();
    erased++;
  }
  return erased;
}
