import { GraphQLError } from 'graphql';
import { z, ZodError } from 'zod';
import type { Resolvers } from '../__generated__/resolvers.js';
import { requireScope, type GraphQLContext } from '../context.js';
import { jobIdOf, toGlobalId } from '../ids.js';
import type { NodeFetchers } from '../nodes.js';
import { mutation } from '../user-errors.js';
import { reportRangeInput, retentionReportInput } from '../../metrics/metrics.inputs.js';
import { getRebuildJob, rebuildProgress, startRebuild } from '../../metrics/metrics.rebuild.js';
import { churnRiskOfActivity, getLatestSegmentRun, getSegmentMember, listSegmentRuns, rfmOfMember } from '../../metrics/metrics.segments.js';
import { RFM_GROUPS, type RfmGroup } from '../../metrics/segments.js';
import { getCustomerActivities, getMetricsState, readCohortReport, readLifetimeValueReport, readRetentionReport, type MetricsSettings } from '../../metrics/metrics.service.js';
import type { MetricsRebuildJobItem } from '../../metrics/metrics.entities.js';
import { periodEnd, periodStart, type Granularity } from '../../metrics/periods.js';
import type { Lookback, RetentionFigures } from '../../metrics/reports.js';

// Queries have no userErrors: invalid arguments are a BAD_USER_INPUT naming the argument.
function parseArgs<S extends z.ZodType>(schema: S, args: unknown): z.infer<S> {
  try {
    return schema.parse(args);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const first = error.issues[0];
    throw new GraphQLError(error.issues.map((issue) => issue.message).join('; '), {
      extensions: { code: 'BAD_USER_INPUT', argumentName: first?.path[0] !== undefined ? String(first.path[0]) : undefined },
    });
  }
}

const money = (amount: number, ctx: GraphQLContext) => ({ amount, currencyCode: ctx.shop.currencyCode });

// Half up, as the SUBTOTAL basis rounds, for amounts that are quotients.
const average = (exact: number | null, ctx: GraphQLContext) =>
  exact === null ? null : { amount: Math.floor(exact + 0.5), exactAmount: exact, currencyCode: ctx.shop.currencyCode };

function definitions(settings: MetricsSettings, granularity: Granularity, lookback: Lookback | null, ctx: GraphQLContext) {
  return { granularity, lookback, timeZone: settings.timeZone, revenueBasis: settings.revenueBasis, currencyCode: ctx.shop.currencyCode };
}

function figures(f: RetentionFigures, ctx: GraphQLContext) {
  return {
    customersAtStart: f.customersAtStart,
    customersAtEnd: f.customersAtEnd,
    newCustomers: f.newCustomers,
    retainedCustomers: f.retainedCustomers,
    reactivatedCustomers: f.reactivatedCustomers,
    lostCustomers: f.lostCustomers,
    customerRetentionRate: f.customerRetentionRate,
    cohortRetentionRate: f.cohortRetentionRate,
    churnRate: f.churnRate,
    orders: f.orders,
    revenue: money(f.revenue, ctx),
    averageOrderValue: average(f.averageOrderValue, ctx),
    purchaseFrequency: f.purchaseFrequency,
    repeatCustomers: f.repeatCustomers,
    repeatPurchaseRate: f.repeatPurchaseRate,
    returningCustomerRate: f.returningCustomerRate,
    returningRevenue: money(f.returningRevenue, ctx),
    returningRevenueShare: f.returningRevenueShare,
  };
}

function jobView(job: MetricsRebuildJobItem) {
  return {
    id: toGlobalId(job.tenantId, 'MetricsRebuildJob', job.jobId),
    status: job.status,
    phase: job.phase,
    progress: rebuildProgress(job),
    processedCustomers: job.processedCustomers,
    totalCustomers: job.totalCustomers,
    processedOrders: job.processedOrders,
    totalOrders: job.totalOrders,
    timeZone: job.timeZone,
    revenueBasis: job.revenueBasis,
    createdAt: job.createdAt,
    completedAt: job.completedAt ?? null,
  };
}

export const metricsNodes: NodeFetchers<'MetricsRebuildJob'> = {
  MetricsRebuildJob: async (ctx, jobId) => {
    requireScope(ctx, 'METRICS_READ');
    const job = await getRebuildJob(ctx.tenantId, jobId);
    return job ? jobView(job) : null;
  },
};

const segmentRange = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .transform(({ from, to }) => ({ from: new Date(from), to: new Date(to) }))
  .refine(({ from, to }) => from <= to, { message: 'from must not come after to', path: ['to'] });

// A page's rfm and churnRisk read the shop-wide items once (metrics state, latest run) and the
// per-customer ones together: activities in one BatchGetItem; members are found through the
// per-customer index (their key carries the group), so those are one round of Queries.
const latestRunOf = (ctx: GraphQLContext) => ctx.cache.once('metrics:latestRun', () => getLatestSegmentRun(ctx.tenantId));
const metricsStateOf = (ctx: GraphQLContext) => ctx.cache.once('metrics:state', () => getMetricsState(ctx.tenantId));

/** The customer's churn risk (also `CustomerPrediction.churnRisk` when the model is not usable). */
export async function churnRiskOfCustomer(ctx: GraphQLContext, customerId: string) {
  const activities = ctx.cache.loader('metrics:activity', (ids: readonly string[]) => getCustomerActivities(ctx.tenantId, ids));
  const [{ revenueBasis }, stored, run] = await Promise.all([metricsStateOf(ctx), activities.load(customerId), latestRunOf(ctx)]);
  return churnRiskOfActivity(stored.activity, revenueBasis, run, ctx.clock.now());
}

async function rfmOfCustomer(ctx: GraphQLContext, customerId: string) {
  const run = await latestRunOf(ctx);
  if (!run) return null;
  const members = ctx.cache.loader(`metrics:member:${run.computedAt}`, (ids: readonly string[]) =>
    Promise.all(ids.map((id) => getSegmentMember(ctx.tenantId, id, run.computedAt))),
  );
  return rfmOfMember(await members.load(customerId));
}

export const metricsResolvers: Resolvers = {
  Query: {
    retentionReport: async (_root, args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const input = parseArgs(retentionReportInput, { ...args, lookback: args.lookback ?? undefined });
      const { settings, report } = await readRetentionReport(ctx.tenantId, input);
      return {
        definitions: definitions(settings, input.granularity, input.lookback, ctx),
        from: input.from,
        to: input.to,
        periods: report.rows.map((row) => ({
          period: row.period,
          startsAt: periodStart(row.period, input.granularity, settings.timeZone).toISOString(),
          endsAt: periodEnd(row.period, input.granularity, settings.timeZone).toISOString(),
          ...figures(row, ctx),
        })),
        totals: { periods: report.totals.periods, ...figures(report.totals, ctx) },
      };
    },
    cohortReport: async (_root, args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const input = parseArgs(reportRangeInput, args);
      const { settings, rows } = await readCohortReport(ctx.tenantId, input);
      return {
        definitions: definitions(settings, input.granularity, null, ctx),
        from: input.from,
        to: input.to,
        cohorts: rows.map((row) => ({
          cohort: row.cohort,
          startsAt: periodStart(row.cohort, input.granularity, settings.timeZone).toISOString(),
          size: row.size,
          cells: row.cells.map((cell) => ({
            offset: cell.offset,
            period: cell.period,
            activeCustomers: cell.activeCustomers,
            retention: cell.retention,
            revenue: money(cell.revenue, ctx),
            cumulativeRevenuePerCustomer: average(cell.cumulativeRevenuePerCustomer, ctx),
          })),
        })),
      };
    },
    lifetimeValueReport: async (_root, args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const input = parseArgs(reportRangeInput, args);
      const { settings, report } = await readLifetimeValueReport(ctx.tenantId, input);
      return {
        definitions: definitions(settings, input.granularity, 'PREVIOUS_PERIOD', ctx),
        from: input.from,
        to: input.to,
        customers: report.customers,
        totalRevenue: money(report.totalRevenue, ctx),
        averageHistoricValue: average(report.averageHistoricValue, ctx),
        averageOrderValue: average(report.averageOrderValue, ctx),
        purchaseFrequency: report.purchaseFrequency,
        meanChurnRate: report.meanChurnRate,
        expectedLifespan: report.expectedLifespan,
        projectedValue: average(report.projectedValue, ctx),
      };
    },
    segmentCounts: async (_root, args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const { from, to } = parseArgs(segmentRange, args);
      const runs = await listSegmentRuns(ctx.tenantId, from, to, 400);
      return runs.map((run) => ({
        computedAt: run.computedAt,
        customers: run.customers,
        groups: RFM_GROUPS.map((group) => ({ group, customers: (run.counts as Record<RfmGroup, number>)[group] ?? 0 })),
        partial: run.partial ?? false,
        dataFreshAsOf: run.dataFreshAsOf ?? null,
      }));
    },
    metricsRebuildJob: async (_root, { id }, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const jobId = jobIdOf(ctx.tenantId, id, 'MetricsRebuildJob');
      return jobId ? metricsNodes.MetricsRebuildJob(ctx, jobId) : null;
    },
  },
  Customer: {
    rfm: async (customer, _args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      return rfmOfCustomer(ctx, customer.customerId);
    },
    churnRisk: async (customer, _args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const risk = await churnRiskOfCustomer(ctx, customer.customerId);
      return risk ? { ...risk, expectedNextOrderAt: risk.expectedNextOrderAt?.toISOString() ?? null } : null;
    },
  },
  Mutation: {
    metricsRebuild: async (_root, _args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      requireScope(ctx, 'ORDERS_WRITE');
      return mutation(async () => ({ job: jobView(await startRebuild(ctx.tenantId, ctx.clock.now())) }), { job: null });
    },
  },
};
