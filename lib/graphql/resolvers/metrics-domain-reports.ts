import { GraphQLError } from 'graphql';
import { ZodError, type z } from 'zod';
import type { ReferralReason, Resolvers } from '../__generated__/resolvers.js';
import type { RevenueBasis } from '../../metrics/contribution.js';
import { requireScope, type GraphQLContext } from '../context.js';
import { localIdOf } from '../ids.js';
import { CSAT_SATISFIED_FROM, feedbackFigures, INVALID_CODE_REASONS, loyaltyRows, referralFigures, type GroupPurchaseFigures } from '../../metrics/domain-reports.js';
import type { DomainReport } from '../../metrics/domain-reports.entities.js';
import { ALL_SCOPE } from '../../metrics/domain-reports.projections.js';
import { listDomainCounters } from '../../metrics/domain-reports.service.js';
import { getMetricsState, listCounterItems, type MetricsState } from '../../metrics/metrics.service.js';
import { reportRangeInput, type ReportRangeInput } from '../../metrics/metrics.inputs.js';
import { periodEnd, periodRange, periodStart, type Granularity, type PeriodKey } from '../../metrics/periods.js';

// Queries have no userErrors: invalid arguments are a BAD_USER_INPUT naming the argument.
function parseRange(args: unknown): ReportRangeInput {
  try {
    return reportRangeInput.parse(args);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const issues = (error as ZodError<z.infer<typeof reportRangeInput>>).issues;
    throw new GraphQLError(issues.map((issue) => issue.message).join('; '), {
      extensions: { code: 'BAD_USER_INPUT', argumentName: issues[0]?.path[0] !== undefined ? String(issues[0].path[0]) : undefined },
    });
  }
}

const LOYALTY_FORMULAS = [
  'pointsIssued: EARN entries plus positive ADJUST entries in the period',
  'pointsRedeemed: REDEEM entries in the period',
  'pointsExpired: EXPIRE entries in the period',
  'pointsReversed: REVERSE entries plus negative ADJUST entries in the period',
  'redemptionRate = pointsRedeemed / pointsIssued x 100',
  'breakageRate = pointsExpired / pointsIssued x 100',
  'outstandingPoints: sum of every ledger entry up to the end of the period',
  'members: members joined up to the end of the period; newMembers: joined in the period',
  'memberPurchases: counted (not cancelled) orders placed in the period by the customers who were members at its end (joined before it ended); nonMemberPurchases: those of every other customer',
  'revenue: revenue of those orders on the revenue basis, net of refunds; averageOrderValue = revenue / orders',
  'repeatPurchaseRate = customers of the group with 2 or more orders in the period / customers of the group with an order in the period x 100',
];

function purchases(f: GroupPurchaseFigures, ctx: GraphQLContext) {
  return {
    ...f,
    revenue: { amount: f.revenue, currencyCode: ctx.shop.currencyCode },
    averageOrderValue:
      f.averageOrderValue === null ? null : { amount: Math.floor(f.averageOrderValue + 0.5), exactAmount: f.averageOrderValue, currencyCode: ctx.shop.currencyCode },
  };
}
const REFERRAL_FORMULAS = [
  "referrals are counted in the period of the referee's first order (placedAt)",
  `referralsStarted: referrals whose code was valid (reason not ${INVALID_CODE_REASONS.join(', ')})`,
  'referralsCompleted: referrals now COMPLETED; referralsRejected: referrals now REJECTED, by reason',
  'completionRate = referralsCompleted / referralsStarted x 100',
  "referredRevenue: order total of the completed referrals' first orders",
];
const FEEDBACK_FORMULAS = [
  'responses are counted in the period of their first submission, invitations in the period they are due to be sent',
  'NPS = %promoters (9-10) - %detractors (0-6) over NPS surveys',
  `CSAT = responses scoring ${CSAT_SATISFIED_FROM} or more / responses x 100 over CSAT surveys (1-5)`,
  'CES = sum of scores / responses over CES surveys (1-7)',
  'responseRate = invitedResponses / invitations x 100',
];

function definitions(granularity: Granularity, state: MetricsState, currencyCode: string | null, formulas: string[], revenueBasis: RevenueBasis | null) {
  return { granularity, timeZone: state.timeZone, revenueBasis, currencyCode, formulas };
}

function bounds(period: PeriodKey, granularity: Granularity, timeZone: string) {
  return { period, startsAt: periodStart(period, granularity, timeZone).toISOString(), endsAt: periodEnd(period, granularity, timeZone).toISOString() };
}

// The counters of the generation the metrics state names, so every report of a shop is cut in the same time zone.
async function readRange(ctx: GraphQLContext, report: DomainReport, scope: string, input: ReportRangeInput, fromStart: boolean) {
  const state = await getMetricsState(ctx.tenantId);
  const items = await listDomainCounters({
    tenantId: ctx.tenantId,
    report,
    scope,
    granularity: input.granularity,
    generation: state.generation,
    first: fromStart ? undefined : input.from,
    last: input.to,
  });
  return { state, items, range: periodRange(input.from, input.to) };
}

export const domainReportResolvers: Resolvers = {
  Query: {
    loyaltyReport: async (_root, args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const input = parseRange(args);
      // Outstanding points and members are running sums: every period up to `to` is read. Members
      // and their purchases come from the retention counters (one customer state knows both).
      const { state, items, range } = await readRange(ctx, 'LOYALTY', ALL_SCOPE, input, true);
      const periodItems = await listCounterItems({ tenantId: ctx.tenantId, granularity: input.granularity, generation: state.generation, kind: 'P', first: '0', last: input.to });
      return {
        definitions: definitions(input.granularity, state, ctx.shop.currencyCode, LOYALTY_FORMULAS, state.revenueBasis),
        from: input.from,
        to: input.to,
        periods: loyaltyRows(items, new Map(periodItems.map((item) => [item.period, item.values])), range).map((row) => ({
          ...row,
          ...bounds(row.period, input.granularity, state.timeZone),
          memberPurchases: purchases(row.memberPurchases, ctx),
          nonMemberPurchases: purchases(row.nonMemberPurchases, ctx),
        })),
      };
    },
    referralReport: async (_root, args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const input = parseRange(args);
      const { state, items, range } = await readRange(ctx, 'REFERRAL', ALL_SCOPE, input, false);
      return {
        // A referral keeps its first order's total: referred revenue is on the TOTAL basis whatever the shop's.
        definitions: definitions(input.granularity, state, ctx.shop.currencyCode, REFERRAL_FORMULAS, 'TOTAL'),
        from: input.from,
        to: input.to,
        periods: range.map((period) => {
          const figures = referralFigures(items.get(period) ?? {});
          return {
            ...bounds(period, input.granularity, state.timeZone),
            ...figures,
            // The reasons are the stored referral reasons, the SDL enum's values.
            rejectedByReason: figures.rejectedByReason as Array<{ reason: ReferralReason; count: number }>,
            referredRevenue: { amount: figures.referredRevenue, currencyCode: ctx.shop.currencyCode },
          };
        }),
      };
    },
    feedbackReport: async (_root, args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const input = parseRange({ granularity: args.granularity, from: args.from, to: args.to });
      let scope = ALL_SCOPE;
      if (args.surveyId !== null && args.surveyId !== undefined) {
        const surveyId = localIdOf(ctx.tenantId, args.surveyId, 'Survey');
        if (!surveyId) throw new GraphQLError('surveyId is not a Survey id', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'surveyId' } });
        scope = surveyId;
      }
      const { state, items, range } = await readRange(ctx, 'FEEDBACK', scope, input, false);
      return {
        definitions: definitions(input.granularity, state, null, FEEDBACK_FORMULAS, null),
        from: input.from,
        to: input.to,
        surveyId: args.surveyId ?? null,
        periods: range.map((period) => ({ ...bounds(period, input.granularity, state.timeZone), ...feedbackFigures(items.get(period) ?? {}) })),
      };
    },
  },
};
