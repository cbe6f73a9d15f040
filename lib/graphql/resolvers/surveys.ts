import { GraphQLError } from 'graphql';
import type { Resolvers } from '../__generated__/resolvers.js';
import { canReadCustomer, forbidden, requireScope, type GraphQLContext } from '../context.js';
import { connection, decodeCursor, pageSize } from '../cursors.js';
import { localIdOf, toGlobalId } from '../ids.js';
import type { NodeFetchers } from '../nodes.js';
import { mutation } from '../user-errors.js';
import { runIdempotent } from '../../idempotency/index.js';
import type { StoredAnswer } from '../../surveys/answers.js';
import { resolveText } from '../../surveys/locales.js';
import { CustomerRequiredError, FollowUpNotFoundError, SurveyError, InvitationNotFoundError, ResponseNotFoundError, SurveyNotFoundError } from '../../surveys/surveys.errors.js';
import type { SurveyItem } from '../../surveys/surveys.entities.js';
import {
  feedbackFollowUpResolveInput,
  periodInput,
  surveyCreateInput,
  surveyInvitationCreateInput,
  surveyInvitationsCreateInput,
  surveyInvitationTokenIssueInput,
  surveyResponseSubmitInput,
  surveyResponseUpdateInput,
  surveyUpdateInput,
} from '../../surveys/surveys.inputs.js';
import {
  createInvitation,
  createSurvey,
  getFollowUp,
  getInvitation,
  getResponse,
  getSurvey,
  invitationForToken,
  issueInvitationToken,
  latestNpsCategory,
  listComments,
  listFollowUps,
  listInvitations,
  listSurveys,
  questionsOf,
  resolveFollowUp,
  submitResponse,
  surveyResults,
  transitionSurvey,
  updateResponse,
  updateSurvey,
  type Editor,
  type Respondent,
} from '../../surveys/surveys.service.js';

function surveyIdOf(ctx: GraphQLContext, globalId: string, field: string[]): string {
  const id = localIdOf(ctx.tenantId, globalId, 'Survey');
  if (!id) throw new SurveyNotFoundError(field);
  return id;
}

function customerIdOf(ctx: GraphQLContext, globalId: string, field: string[]): string {
  const id = localIdOf(ctx.tenantId, globalId, 'Customer');
  if (!id) throw new CustomerRequiredError(field);
  return id;
}

function badInput(message: string, argumentName: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argumentName } });
}

async function callerLocale(ctx: GraphQLContext): Promise<string | undefined> {
  return ctx.principal.kind === 'PUBLISHABLE' ? (await ctx.me())?.locale : undefined;
}

/** A storefront reads ACTIVE surveys only; a secret key needs SURVEYS_READ. */
function visibleSurvey(ctx: GraphQLContext, survey: SurveyItem | undefined): SurveyItem | null {
  if (!survey) return null;
  if (ctx.principal.kind === 'PUBLISHABLE') return survey.status === 'ACTIVE' ? survey : null;
  requireScope(ctx, 'SURVEYS_READ');
  return survey;
}

/** Who answers: an invitation token wins; else the signed-in customer; else a partner's customerId. */
async function respondentFor(ctx: GraphQLContext, input: { customerId?: string | null; invitationToken?: string | null }): Promise<Respondent> {
  if (ctx.principal.kind === 'SECRET') requireScope(ctx, 'SURVEYS_WRITE');
  if (input.invitationToken) return { channel: 'INVITATION', token: input.invitationToken };
  if (ctx.principal.kind === 'PUBLISHABLE') {
    const me = await ctx.me();
    if (!me) throw forbidden('A storefront answers with a customer token or an invitation token');
    return { channel: 'STOREFRONT', customerId: me.customerId };
  }
  if (!input.customerId) throw new CustomerRequiredError(['customerId']);
  return { channel: 'PARTNER', customerId: customerIdOf(ctx, input.customerId, ['customerId']) };
}

async function editorFor(ctx: GraphQLContext, invitationToken: string | null | undefined): Promise<Editor> {
  if (ctx.principal.kind === 'SECRET') requireScope(ctx, 'SURVEYS_WRITE');
  if (invitationToken) return { channel: 'INVITATION', token: invitationToken };
  if (ctx.principal.kind === 'PUBLISHABLE') {
    const me = await ctx.me();
    if (!me) throw forbidden('A storefront edits with a customer token or an invitation token');
    return { channel: 'STOREFRONT', customerId: me.customerId };
  }
  return { channel: 'PARTNER' };
}

export const surveyNodes: NodeFetchers<'Survey' | 'SurveyResponse' | 'SurveyInvitation' | 'FeedbackFollowUp'> = {
  Survey: async (ctx, surveyId) => {
    if (ctx.principal.kind === 'SECRET') requireScope(ctx, 'SURVEYS_READ');
    return visibleSurvey(ctx, await getSurvey(ctx.tenantId, surveyId));
  },
  /** A storefront reads its own customer's responses only. */
  SurveyResponse: async (ctx, responseId) => {
    if (ctx.principal.kind === 'SECRET') requireScope(ctx, 'SURVEYS_READ');
    const response = await getResponse(ctx.tenantId, responseId);
    if (!response) return null;
    if (ctx.principal.kind === 'PUBLISHABLE' && (await ctx.me())?.customerId !== response.customerId) return null;
    return response;
  },
  // Invitations and follow-ups are listed for SURVEYS_READ only (`Survey.invitations`, `feedbackFollowUps`).
  SurveyInvitation: async (ctx, invitationId) => {
    requireScope(ctx, 'SURVEYS_READ');
    return (await getInvitation(ctx.tenantId, invitationId)) ?? null;
  },
  FeedbackFollowUp: async (ctx, followUpId) => {
    requireScope(ctx, 'SURVEYS_READ');
    return (await getFollowUp(ctx.tenantId, followUpId)) ?? null;
  },
};

export const surveyResolvers: Resolvers = {
  Query: {
    survey: async (_root, { id }, ctx) => {
      const surveyId = localIdOf(ctx.tenantId, id, 'Survey');
      if (ctx.principal.kind === 'SECRET') requireScope(ctx, 'SURVEYS_READ');
      return surveyId ? surveyNodes.Survey(ctx, surveyId) : null;
    },
    surveys: async (_root, args, ctx) => {
      requireScope(ctx, 'SURVEYS_READ');
      const list = `surveys:${args.status ?? ''}`;
      const page = await listSurveys({ tenantId: ctx.tenantId, first: pageSize(args.first), cursor: decodeCursor(ctx.tenantId, list, args.after), status: args.status });
      return connection(ctx.tenantId, list, page, args.after);
    },
    surveyByInvitation: async (_root, { token }, ctx) => {
      if (ctx.principal.kind === 'SECRET') requireScope(ctx, 'SURVEYS_READ');
      try {
        const invitation = await invitationForToken(ctx.tenantId, token, ctx.clock.now());
        const survey = await getSurvey(ctx.tenantId, invitation.surveyId);
        return survey?.status === 'ACTIVE' ? survey : null;
      } catch (error) {
        if (error instanceof SurveyError) return null;
        throw error;
      }
    },
    surveyResponse: async (_root, { id }, ctx) => {
      const responseId = localIdOf(ctx.tenantId, id, 'SurveyResponse');
      if (ctx.principal.kind === 'SECRET') requireScope(ctx, 'SURVEYS_READ');
      return responseId ? surveyNodes.SurveyResponse(ctx, responseId) : null;
    },
    feedbackFollowUps: async (_root, args, ctx) => {
      requireScope(ctx, 'SURVEYS_READ');
      const status = args.status ?? 'OPEN';
      const list = `feedbackFollowUps:${status}`;
      const page = await listFollowUps({ tenantId: ctx.tenantId, status, first: pageSize(args.first), cursor: decodeCursor(ctx.tenantId, list, args.after) });
      return connection(ctx.tenantId, list, page, args.after);
    },
  },
  Mutation: {
    surveyCreate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'SURVEYS_WRITE');
      return mutation(
        async () => {
          const { idempotencyKey, ...request } = surveyCreateInput.parse(input);
          const outcome = await runIdempotent({ tenantId: ctx.tenantId, operation: 'surveyCreate', idempotencyKey, request, now: ctx.clock.now() }, () =>
            createSurvey(ctx.tenantId, { ...request, idempotencyKey }, ctx.clock.now()),
          );
          return { survey: outcome.first };
        },
        { survey: null },
      );
    },
    surveyUpdate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'SURVEYS_WRITE');
      return mutation(async () => {
        const valid = surveyUpdateInput.parse(input);
        return { survey: await updateSurvey(ctx.tenantId, surveyIdOf(ctx, valid.id, ['id']), valid, ctx.clock.now()) };
      }, { survey: null });
    },
    surveyActivate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'SURVEYS_WRITE');
      return mutation(async () => ({ survey: await transitionSurvey(ctx.tenantId, surveyIdOf(ctx, input.id, ['id']), 'ACTIVE', ctx.clock.now()) }), { survey: null });
    },
    surveyClose: async (_root, { input }, ctx) => {
      requireScope(ctx, 'SURVEYS_WRITE');
      return mutation(async () => ({ survey: await transitionSurvey(ctx.tenantId, surveyIdOf(ctx, input.id, ['id']), 'CLOSED', ctx.clock.now()) }), { survey: null });
    },
    surveyResponseSubmit: async (_root, { input }, ctx) => {
      return mutation(
        async () => {
          const respondent = await respondentFor(ctx, input);
          const { idempotencyKey, ...request } = surveyResponseSubmitInput.parse(input);
          const submit = async () => {
            const result = await submitResponse(
              ctx.tenantId,
              { surveyId: surveyIdOf(ctx, request.surveyId, ['surveyId']), respondent, orderId: request.orderId, locale: request.locale, answers: request.answers },
              ctx.clock.now(),
            );
            return { response: result.response, followUpCreated: result.followUp !== null, referralCode: result.referralCode };
          };
          const outcome = await runIdempotent(
            { tenantId: ctx.tenantId, operation: 'surveyResponseSubmit', idempotencyKey, request: { ...request, respondent }, now: ctx.clock.now() },
            submit,
            ({ response, followUpCreated, referralCode }) => ({ responseId: response.responseId, followUpCreated, referralCode }),
          );
          if (!outcome.replayed) return outcome.first;
          const { responseId, ...rest } = outcome.first;
          return { response: (await getResponse(ctx.tenantId, responseId)) ?? null, ...rest };
        },
        { response: null, followUpCreated: false, referralCode: null },
      );
    },
    surveyResponseUpdate: async (_root, { input }, ctx) => {
      return mutation(async () => {
        const editor = await editorFor(ctx, input.invitationToken);
        const valid = surveyResponseUpdateInput.parse(input);
        const responseId = localIdOf(ctx.tenantId, valid.id, 'SurveyResponse');
        if (!responseId) throw new ResponseNotFoundError();
        return { response: await updateResponse(ctx.tenantId, responseId, editor, valid.answers, ctx.clock.now()) };
      }, { response: null });
    },
    surveyInvitationCreate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'SURVEYS_WRITE');
      return mutation(
        async () => {
          const { idempotencyKey, ...request } = surveyInvitationCreateInput.parse(input);
          const args = { surveyId: surveyIdOf(ctx, request.surveyId, ['surveyId']), customerId: customerIdOf(ctx, request.customerId, ['customerId']), orderId: request.orderId, expiresInDays: request.expiresInDays };
          // The token is never stored, not even for replays: a replay returns the invitation without it.
          const outcome = await runIdempotent(
            { tenantId: ctx.tenantId, operation: 'surveyInvitationCreate', idempotencyKey, request, now: ctx.clock.now() },
            () => createInvitation(ctx.tenantId, args, ctx.clock.now()),
            ({ invitation }) => ({ invitationId: invitation.invitationId }),
          );
          if (!outcome.replayed) return outcome.first;
          return { invitation: (await getInvitation(ctx.tenantId, outcome.first.invitationId)) ?? null, token: null };
        },
        { invitation: null, token: null },
      );
    },
    surveyInvitationsCreate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'SURVEYS_WRITE');
      const parsed = surveyInvitationsCreateInput.safeParse(input);
      if (!parsed.success) {
        const { userErrors } = await mutation(async () => { throw parsed.error; }, {});
        return { results: [], userErrors };
      }
      const valid = parsed.data;
      const results = [];
      for (const [index, customerId] of valid.customerIds.entries()) {
        const outcome = await mutation(
          async () =>
            createInvitation(
              ctx.tenantId,
              { surveyId: surveyIdOf(ctx, valid.surveyId, ['surveyId']), customerId: customerIdOf(ctx, customerId, ['customerIds', String(index)]), expiresInDays: valid.expiresInDays },
              ctx.clock.now(),
            ),
          { invitation: null, token: null },
        );
        results.push({ customerId, ...outcome });
      }
      return { results, userErrors: [] };
    },
    surveyInvitationTokenIssue: async (_root, { input }, ctx) => {
      requireScope(ctx, 'SURVEYS_WRITE');
      return mutation(async () => {
        const valid = surveyInvitationTokenIssueInput.parse(input);
        const invitationId = localIdOf(ctx.tenantId, valid.id, 'SurveyInvitation');
        if (!invitationId) throw new InvitationNotFoundError(['id']);
        return issueInvitationToken(ctx.tenantId, invitationId, valid.expiresInDays, ctx.clock.now());
      }, { invitation: null, token: null });
    },
    feedbackFollowUpResolve: async (_root, { input }, ctx) => {
      requireScope(ctx, 'SURVEYS_WRITE');
      return mutation(async () => {
        const valid = feedbackFollowUpResolveInput.parse(input);
        const followUpId = localIdOf(ctx.tenantId, valid.id, 'FeedbackFollowUp');
        if (!followUpId) throw new FollowUpNotFoundError();
        return { followUp: await resolveFollowUp(ctx.tenantId, followUpId, valid.note, ctx.clock.now()) };
      }, { followUp: null });
    },
  },
  Survey: {
    id: (s) => toGlobalId(s.tenantId, 'Survey', s.surveyId),
    locales: (s) => {
      const locales = new Set<string>([s.defaultLocale]);
      for (const q of questionsOf(s)) for (const t of q.texts) locales.add(t.locale);
      return [...locales];
    },
    scale: (s) => ({ min: s.scaleMin, max: s.scaleMax, satisfiedFrom: s.satisfiedFrom }),
    questions: async (s, { locale }, ctx) => {
      const preferred = [locale, await callerLocale(ctx)];
      return questionsOf(s).map((q) => {
        const resolved = resolveText(q.texts, preferred, s.defaultLocale);
        return {
          key: q.key,
          type: q.type,
          required: q.required,
          text: resolved.text,
          locale: resolved.locale,
          texts: q.texts,
          min: q.min ?? null,
          max: q.max ?? null,
          labels: (q.labels ?? []).map((l) => ({ value: l.value, text: resolveText(l.texts, preferred, s.defaultLocale).text })),
          options: (q.options ?? []).map((o) => ({ key: o.key, text: resolveText(o.texts, preferred, s.defaultLocale).text })),
          maxLength: q.maxLength ?? null,
          showWhenScore: q.showWhenScore ?? null,
        };
      });
    },
    postPurchaseDelayDays: (s) => s.postPurchaseDelayDays ?? null,
    activatedAt: (s) => s.activatedAt ?? null,
    closedAt: (s) => s.closedAt ?? null,
    results: async (s, args, ctx) => {
      requireScope(ctx, 'SURVEYS_READ');
      const parsed = periodInput.safeParse({ from: args.from, to: args.to });
      if (!parsed.success) throw badInput(parsed.error.issues.map((i) => `${i.path.join('.') || 'from'}: ${i.message}`).join('; '), 'from');
      return surveyResults(ctx.tenantId, s, parsed.data, ctx.clock.now());
    },
    latestComments: async (s, args, ctx) => {
      requireScope(ctx, 'SURVEYS_READ');
      const list = `surveyComments:${s.surveyId}`;
      const page = await listComments({ tenantId: ctx.tenantId, surveyId: s.surveyId, first: pageSize(args.first), cursor: decodeCursor(ctx.tenantId, list, args.after) });
      return connection(ctx.tenantId, list, page, args.after);
    },
    invitations: async (s, args, ctx) => {
      requireScope(ctx, 'SURVEYS_READ');
      const list = `surveyInvitations:${s.surveyId}:${args.dueBy ?? ''}`;
      const dueBy = args.dueBy ? new Date(args.dueBy).toISOString() : null;
      const page = await listInvitations({ tenantId: ctx.tenantId, surveyId: s.surveyId, first: pageSize(args.first), cursor: decodeCursor(ctx.tenantId, list, args.after), dueBy });
      return connection(ctx.tenantId, list, page, args.after);
    },
  },
  SurveyResponse: {
    id: (r) => toGlobalId(r.tenantId, 'SurveyResponse', r.responseId),
    survey: async (r, _a, ctx) => (await getSurvey(ctx.tenantId, r.surveyId)) ?? null,
    customer: async (r, _a, ctx) => {
      const customer = await ctx.loaders.customer.load(r.customerId);
      if (!customer) return null;
      if (!(await canReadCustomer(ctx, customer, 'CUSTOMERS_READ'))) throw forbidden('This needs a secret key with scope CUSTOMERS_READ');
      return customer;
    },
    orderId: (r) => r.orderId ?? null,
    npsCategory: (r) => r.npsCategory ?? null,
    answers: (r) =>
      (r.answers as StoredAnswer[]).map((a) => ({ questionKey: a.questionKey, rating: a.rating ?? null, optionKeys: a.optionKeys ?? null, text: a.text ?? null })),
    locale: (r) => r.locale ?? null,
    erasedAt: (r) => r.erasedAt ?? null,
  },
  SurveyInvitation: {
    id: (i) => toGlobalId(i.tenantId, 'SurveyInvitation', i.invitationId),
    survey: async (i, _a, ctx) => (await getSurvey(ctx.tenantId, i.surveyId)) ?? null,
    customer: async (i, _a, ctx) => {
      const customer = await ctx.loaders.customer.load(i.customerId);
      if (!customer) return null;
      if (!(await canReadCustomer(ctx, customer, 'CUSTOMERS_READ'))) throw forbidden('This needs a secret key with scope CUSTOMERS_READ');
      return customer;
    },
    orderId: (i) => i.orderId ?? null,
    expiresAt: (i) => i.expiresAt ?? null,
    hasToken: (i) => i.secretHash !== undefined,
    usedAt: (i) => i.usedAt ?? null,
  },
  FeedbackFollowUp: {
    id: (f) => toGlobalId(f.tenantId, 'FeedbackFollowUp', f.followUpId),
    customer: async (f, _a, ctx) => {
      const customer = await ctx.loaders.customer.load(f.customerId);
      if (!customer) return null;
      if (!(await canReadCustomer(ctx, customer, 'CUSTOMERS_READ'))) throw forbidden('This needs a secret key with scope CUSTOMERS_READ');
      return customer;
    },
    response: async (f, _a, ctx) => (await getResponse(ctx.tenantId, f.responseId)) ?? null,
    survey: async (f, _a, ctx) => (await getSurvey(ctx.tenantId, f.surveyId)) ?? null,
    note: (f) => f.note ?? null,
    resolvedAt: (f) => f.resolvedAt ?? null,
  },
  Customer: {
    latestNpsCategory: async (c, _a, ctx) => {
      if (!(await canReadCustomer(ctx, c, 'SURVEYS_READ'))) throw forbidden('This needs a secret key with scope SURVEYS_READ');
      return latestNpsCategory(ctx.tenantId, c.customerId);
    },
  },
};

