import { z } from 'zod';
import { idInput, inputDateTime, text } from '../common/input.js';

const locale = z.string().regex(/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$/, 'a BCP 47 locale such as de or de-AT');
const key = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, "_" and "-", at most 40');
const score = z.number().int().min(-1000).max(1000);

export const localizedTextsInput = z.array(z.object({ locale, text: text(1000) })).min(1).max(30);

const labelsInput = z.array(z.object({ value: score, texts: localizedTextsInput })).max(20).nullish().transform((v) => v ?? []);

export const scoreQuestionInput = z.object({ texts: localizedTextsInput, labels: labelsInput });

export const questionInput = z.object({
  key,
  type: z.enum(['RATING', 'SINGLE_CHOICE', 'MULTIPLE_CHOICE', 'TEXT']),
  required: z.boolean().nullish().transform((v) => v ?? false),
  texts: localizedTextsInput,
  min: score.nullish(),
  max: score.nullish(),
  labels: labelsInput,
  options: z.array(z.object({ key, texts: localizedTextsInput })).max(50).nullish().transform((v) => v ?? []),
  maxLength: z.number().int().min(1).max(5000).nullish(),
  showWhenScore: z.object({ min: score, max: score }).nullish(),
});
export type QuestionInput = z.infer<typeof questionInput>;

export const scaleInput = z.object({ min: score, max: score, satisfiedFrom: score });

const settings = {
  allowRepeats: z.boolean().nullish(),
  editWindowMinutes: z.number().int().min(0).max(7 * 24 * 60).nullish(),
  postPurchaseDelayDays: z.number().int().min(0).max(365).nullish(),
  invitationExpiryDays: z.number().int().min(1).max(365).nullish(),
};

export const surveyCreateInput = z
  .object({
    name: text(200),
    kind: z.enum(['NPS', 'CSAT', 'CES', 'CUSTOM']),
    defaultLocale: locale,
    scoreQuestion: scoreQuestionInput,
    questions: z.array(questionInput).max(30).nullish().transform((v) => v ?? []),
    scale: scaleInput.nullish(),
    ...settings,
    idempotencyKey: text(200).nullish(),
  })
  .superRefine((input, ctx) => {
    if (input.kind === 'CUSTOM' && !input.scale) ctx.addIssue({ code: 'custom', path: ['scale'], message: 'A CUSTOM survey states its scale and satisfied cut-off' });
    if (input.kind !== 'CUSTOM' && input.scale) ctx.addIssue({ code: 'custom', path: ['scale'], message: `${input.kind} has a fixed scale` });
  });
export type SurveyCreateInput = z.infer<typeof surveyCreateInput>;

export const surveyUpdateInput = z.object({
  id: idInput,
  name: text(200).nullish(),
  defaultLocale: locale.nullish(),
  scoreQuestion: scoreQuestionInput.nullish(),
  questions: z.array(questionInput).max(30).nullish(),
  scale: scaleInput.nullish(),
  ...settings,
});
export type SurveyUpdateInput = z.infer<typeof surveyUpdateInput>;

export const answerInput = z.object({
  questionKey: z.string().min(1).max(40),
  rating: z.number().int().nullish(),
  optionKeys: z.array(z.string().max(40)).max(50).nullish(),
  text: z.string().max(20_000).nullish(),
});

export const surveyResponseSubmitInput = z.object({
  surveyId: idInput,
  customerId: idInput.nullish(),
  invitationToken: z.string().min(1).max(200).nullish(),
  orderId: text(200).nullish(),
  locale: locale.nullish(),
  answers: z.array(answerInput).max(50),
  idempotencyKey: text(200).nullish(),
});
export type SurveyResponseSubmitInput = z.infer<typeof surveyResponseSubmitInput>;

export const surveyResponseUpdateInput = z.object({
  id: idInput,
  invitationToken: z.string().min(1).max(200).nullish(),
  answers: z.array(answerInput).max(50),
});
export type SurveyResponseUpdateInput = z.infer<typeof surveyResponseUpdateInput>;

export const surveyInvitationCreateInput = z.object({
  surveyId: idInput,
  customerId: idInput,
  orderId: text(200).nullish(),
  expiresInDays: z.number().int().min(1).max(365).nullish(),
  idempotencyKey: text(200).nullish(),
});
export type SurveyInvitationCreateInput = z.infer<typeof surveyInvitationCreateInput>;

export const maxInvitationsPerCall = 100;

export const surveyInvitationsCreateInput = z.object({
  surveyId: idInput,
  customerIds: z.array(z.string().min(1)).min(1).max(maxInvitationsPerCall),
  expiresInDays: z.number().int().min(1).max(365).nullish(),
});

export const surveyInvitationTokenIssueInput = z.object({
  id: idInput,
  expiresInDays: z.number().int().min(1).max(365).nullish(),
});

export const feedbackFollowUpResolveInput = z.object({ id: z.string().min(1), note: text(2000) });

export const periodInput = z
  .object({ from: inputDateTime.nullish(), to: inputDateTime.nullish() })
  .refine((p) => !p.from || !p.to || Date.parse(p.from) <= Date.parse(p.to), { message: 'from must not be after to', path: ['from'] })
  .transform((p) => ({ from: p.from ? new Date(p.from).toISOString() : null, to: p.to ? new Date(p.to).toISOString() : null }));
