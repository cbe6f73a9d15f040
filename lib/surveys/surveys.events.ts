import { z } from 'zod';
import { defineEvent } from '../events/index.js';

const kind = z.enum(['NPS', 'CSAT', 'CES', 'CUSTOM']);
const channel = z.enum(['STOREFRONT', 'PARTNER', 'INVITATION']);

/** A customer answered a survey (once per response; an edit of the answers publishes nothing). */
export const surveyResponseSubmitted = defineEvent({
  type: 'survey.response_submitted',
  version: 1,
  description: 'A customer answered a survey: its kind, the score, the NPS category for NPS surveys, and the order it was about.',
  data: z.object({
    responseId: z.string(),
    surveyId: z.string(),
    kind,
    customerId: z.string(),
    orderId: z.string().nullable(),
    channel,
    score: z.number(),
    npsCategory: z.enum(['PROMOTER', 'PASSIVE', 'DETRACTOR']).nullable(),
    hasComment: z.boolean(),
    submittedAt: z.string(),
  }),
  sample: {
    responseId: 'rsp_3f9c2a7e1b8d4c6a9e0f1b2c3d4e5f6a',
    surveyId: 'srv_nps_post_purchase',
    kind: 'NPS',
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    orderId: '#1042',
    channel: 'INVITATION',
    score: 9,
    npsCategory: 'PROMOTER',
    hasComment: true,
    submittedAt: '2026-03-08T18:20:00.000Z',
  },
});

/** An answer opened a follow-up (an NPS detractor, a low CSAT): the shop should reach out. */
export const feedbackDetractor = defineEvent({
  type: 'feedback.detractor',
  version: 1,
  description: 'A response opened a follow-up for the shop (an NPS detractor, score 0–6, or a CSAT of 1–2): the follow-up to resolve and the score behind it.',
  data: z.object({
    followUpId: z.string(),
    responseId: z.string(),
    surveyId: z.string(),
    customerId: z.string(),
    reason: z.enum(['DETRACTOR', 'LOW_CSAT']),
    score: z.number(),
    status: z.literal('OPEN'),
    createdAt: z.string(),
  }),
  sample: {
    followUpId: 'rsp_3f9c2a7e1b8d4c6a9e0f1b2c3d4e5f6a',
    responseId: 'rsp_3f9c2a7e1b8d4c6a9e0f1b2c3d4e5f6a',
    surveyId: 'srv_nps_post_purchase',
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    reason: 'DETRACTOR',
    score: 3,
    status: 'OPEN',
    createdAt: '2026-03-08T18:20:00.000Z',
  },
});

/** An NPS answer of 9 or 10: a customer ready to be asked for a review or a referral. */
export const feedbackPromoter = defineEvent({
  type: 'feedback.promoter',
  version: 1,
  description: 'A customer answered an NPS survey with 9 or 10 (a promoter): a moment to ask for a review or a referral.',
  data: z.object({
    responseId: z.string(),
    surveyId: z.string(),
    customerId: z.string(),
    score: z.number(),
    submittedAt: z.string(),
  }),
  sample: {
    responseId: 'rsp_3f9c2a7e1b8d4c6a9e0f1b2c3d4e5f6a',
    surveyId: 'srv_nps_post_purchase',
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    score: 10,
    submittedAt: '2026-03-08T18:20:00.000Z',
  },
});

export const surveyEvents = [surveyResponseSubmitted, feedbackDetractor, feedbackPromoter];
