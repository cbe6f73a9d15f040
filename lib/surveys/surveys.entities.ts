import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

/**
 * A survey and its definition. The questions are stored as one JSON document (`definition.ts`
 * declares their shape): they are read and written together, and only while the survey is DRAFT.
 * `version` guards every read-modify-write.
 */
export const SurveyEntity = new Entity({
  model: { entity: 'survey', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    surveyId: { type: 'string', required: true, readOnly: true },
    name: { type: 'string', required: true },
    kind: { type: ['NPS', 'CSAT', 'CES', 'CUSTOM'] as const, required: true, readOnly: true },
    status: { type: ['DRAFT', 'ACTIVE', 'CLOSED'] as const, required: true, default: 'DRAFT' },
    defaultLocale: { type: 'string', required: true },
    scaleMin: { type: 'number', required: true },
    scaleMax: { type: 'number', required: true },
    /** Lowest score counted as satisfied (CSAT 4, CUSTOM states it explicitly). */
    satisfiedFrom: { type: 'number', required: true },
    /** `SurveyQuestion[]` from definition.ts; the first is always the score question. */
    questions: { type: 'any', required: true },
    allowRepeats: { type: 'boolean', required: true, default: false },
    editWindowMinutes: { type: 'number', required: true, default: 30 },
    /** When set, every recorded order schedules an invitation due this many days later. */
    postPurchaseDelayDays: { type: 'number' },
    invitationExpiryDays: { type: 'number', required: true, default: 14 },
    version: { type: 'number', required: true, default: 0 },
    createdAt: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
    activatedAt: { type: 'string' },
    closedAt: { type: 'string' },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'surveyId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    surveysByShop: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'gsi3sk', composite: ['surveyId'], casing: 'none' },
    },
  },
});
export type SurveyItem = EntityItem<typeof SurveyEntity>;

/**
 * One response. Its first submission time orders it within the survey (results per period,
 * latest comments) and within the customer (latest NPS category, erasure).
 */
export const SurveyResponseEntity = new Entity({
  model: { entity: 'surveyresponse', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    responseId: { type: 'string', required: true, readOnly: true },
    surveyId: { type: 'string', required: true, readOnly: true },
    kind: { type: ['NPS', 'CSAT', 'CES', 'CUSTOM'] as const, required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    orderId: { type: 'string' },
    invitationId: { type: 'string' },
    channel: { type: ['STOREFRONT', 'PARTNER', 'INVITATION'] as const, required: true, readOnly: true },
    score: { type: 'number', required: true },
    npsCategory: { type: ['PROMOTER', 'PASSIVE', 'DETRACTOR'] as const },
    /** `StoredAnswer[]` from answers.ts. */
    answers: { type: 'any', required: true },
    hasComment: { type: 'boolean', required: true, default: false },
    locale: { type: 'string' },
    submittedAt: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
    editableUntil: { type: 'string', required: true },
    erasedAt: { type: 'string' },
    version: { type: 'number', required: true, default: 0 },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'responseId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    responsesBySurvey: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'surveyId'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['submittedAt', 'responseId'], casing: 'none' },
    },
    responsesByCustomer: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'gsi2sk', composite: ['submittedAt', 'responseId'], casing: 'none' },
    },
  },
});
export type SurveyResponseItem = EntityItem<typeof SurveyResponseEntity>;

/**
 * A unique claim, created with `attribute_not_exists` in the same transaction as what it guards:
 * RESPONSE (survey, customer) makes concurrent submits store exactly one response.
 */
export const SurveyClaimEntity = new Entity({
  model: { entity: 'surveyclaim', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    surveyId: { type: 'string', required: true, readOnly: true },
    claimType: { type: ['RESPONSE'] as const, required: true, readOnly: true },
    subjectId: { type: 'string', required: true, readOnly: true },
    targetId: { type: 'string', required: true },
    createdAt: { type: 'string', required: true },
  },
  indexes: {
    byClaim: {
      pk: { field: 'pk', composite: ['tenantId', 'surveyId', 'claimType', 'subjectId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

/**
 * An invitation to answer a survey without signing in. Only the SHA-256 of its secret is stored;
 * the token (`<invitationId>.<secret>`) is shown once. A post-purchase invitation is created by
 * the order stream with a deterministic id (so never twice per order) and without a secret until
 * a partner issues its token.
 */
export const SurveyInvitationEntity = new Entity({
  model: { entity: 'surveyinvitation', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    invitationId: { type: 'string', required: true, readOnly: true },
    surveyId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    orderId: { type: 'string' },
    source: { type: ['MANUAL', 'POST_PURCHASE'] as const, required: true, readOnly: true },
    secretHash: { type: 'string' },
    /** When the invitation is due to be sent (creation time for manual ones). */
    sendAfter: { type: 'string', required: true, readOnly: true },
    expiresAt: { type: 'string' },
    usedAt: { type: 'string' },
    responseId: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'invitationId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    invitationsBySurvey: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'surveyId'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['sendAfter', 'invitationId'], casing: 'none' },
    },
  },
});
export type SurveyInvitationItem = EntityItem<typeof SurveyInvitationEntity>;

/** A customer to contact after a poor score; one per response (its id is the response's). */
export const FeedbackFollowUpEntity = new Entity({
  model: { entity: 'feedbackfollowup', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    followUpId: { type: 'string', required: true, readOnly: true },
    surveyId: { type: 'string', required: true, readOnly: true },
    responseId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    reason: { type: ['DETRACTOR', 'LOW_CSAT'] as const, required: true, readOnly: true },
    score: { type: 'number', required: true },
    status: { type: ['OPEN', 'RESOLVED'] as const, required: true, default: 'OPEN' },
    note: { type: 'string' },
    createdAt: { type: 'string', required: true },
    resolvedAt: { type: 'string' },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'followUpId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    followUpsByStatus: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'status'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['createdAt', 'followUpId'], casing: 'none' },
    },
  },
});
export type FeedbackFollowUpItem = EntityItem<typeof FeedbackFollowUpEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    feedbackFollowUp: typeof FeedbackFollowUpEntity;
    surveyClaim: typeof SurveyClaimEntity;
    survey: typeof SurveyEntity;
    surveyInvitation: typeof SurveyInvitationEntity;
    surveyResponse: typeof SurveyResponseEntity;
  }
}

registerEntities({ feedbackFollowUp: FeedbackFollowUpEntity, surveyClaim: SurveyClaimEntity, survey: SurveyEntity, surveyInvitation: SurveyInvitationEntity, surveyResponse: SurveyResponseEntity });
