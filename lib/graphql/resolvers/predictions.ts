import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { InvalidInputError } from '../../common/errors.js';
import { z } from 'zod';
import type { Resolvers } from '../__generated__/resolvers.js';
import { canReadCustomer, forbidden, requireScope, type GraphQLContext } from '../context.js';
import { jobIdOf, toGlobalId } from '../ids.js';
import type { NodeFetchers } from '../nodes.js';
import { mutation } from '../user-errors.js';
import { InvalidSummaryError } from '../../predictions/predictions.errors.js';
import { churnRiskOfCustomer } from './metrics.js';
import { runIdempotent } from '../../idempotency/index.js';
import type { PredictionModels } from '../../predictions/clv.js';
import type { CustomerPredictionItem, PredictionJobItem, PredictionModelItem } from '../../predictions/predictions.entities.js';
import {
  backtestPredictions,
  HoldoutError,
  getCustomerPredictions,
  getPredictionJob,
  getPredictionModel,
  modelsOf,
  predictionAt,
  queuePredictionRefresh,
} from '../../predictions/predictions.service.js';

export type { PredictionJobItem };

/** What `Customer.prediction` resolves from: the stored summary and the shop's model. */
export interface CustomerPredictionView {
  customerId: string;
  status: 'OK' | 'INSUFFICIENT_DATA' | 'NOT_FITTED';
  reason: string | null;
  models: PredictionModels | undefined;
  item: CustomerPredictionItem | undefined;
}

// Per request: the model is read once, predictions are batched (a page of customers is one read).
const perRequest = new WeakMap<GraphQLContext, { model: Promise<PredictionModelItem | undefined>; loader: DataLoader<string, CustomerPredictionItem | undefined> }>();

function requestState(ctx: GraphQLContext) {
  let state = perRequest.get(ctx);
  if (!state) {
    state = {
      model: getPredictionModel(ctx.tenantId),
      loader: new DataLoader(
        async (ids) => {
          // Only the generation the model points at: never a refresh still being written.
          const generation = (await state!.model)?.generation;
          return generation ? getCustomerPredictions(ctx.tenantId, generation, ids) : ids.map(() => undefined);
        },
        { maxBatchSize: 100 },
      ),
    };
    perRequest.set(ctx, state);
  }
  return state;
}

const horizon = z.number().int().min(1).max(3650);

function horizonDays(value: number | null | undefined): number {
  const parsed = horizon.safeParse(value ?? 365);
  if (!parsed.success) throw new GraphQLError('horizonDays must be between 1 and 3650', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'horizonDays' } });
  return parsed.data;
}

const dateTime = (name: string) =>
  z.iso.datetime({ offset: true }).transform((value, ctx) => {
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) ctx.addIssue({ code: 'custom', message: `${name} is not a date` });
    return date;
  });

const refreshInput = z.object({
  idempotencyKey: z.string().min(1).max(200).nullish(),
  asOf: dateTime('asOf').nullish(),
});

export const predictionNodes: NodeFetchers<'PredictionJob'> = {
  PredictionJob: async (ctx, jobId) => {
    requireScope(ctx, 'METRICS_READ');
    return (await getPredictionJob(ctx.tenantId, jobId)) ?? null;
  },
};

export const predictionResolvers: Resolvers = {
  Query: {
    predictionModel: async (_root, _args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const model = await requestState(ctx).model;
      if (!model) return { status: 'NOT_FITTED', reason: 'No fit has run yet', fittedAt: null, asOf: null, asOfRequested: false, atBound: [], timeUnit: null, customers: 0, repeatCustomers: 0, parameters: null, logLikelihood: null, spendLogLikelihood: null };
      const models = modelsOf(model);
      return {
        status: model.status,
        reason: model.reason ?? null,
        fittedAt: model.fittedAt,
        // Models fitted before `asOf` was stored were fitted as of their fit time.
        asOf: model.asOf ?? model.fittedAt,
        asOfRequested: model.asOfRequested ?? false,
        atBound: model.atBound ?? [],
        timeUnit: model.timeUnit,
        customers: model.customers,
        repeatCustomers: model.repeatCustomers,
        parameters: models ? { ...models.bgnbd, ...models.gammaGamma } : null,
        logLikelihood: model.logLikelihood ?? null,
        spendLogLikelihood: model.spendLogLikelihood ?? null,
      };
    },
    predictionJob: async (_root, { id }, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const jobId = jobIdOf(ctx.tenantId, id, 'PredictionJob');
      return jobId ? predictionNodes.PredictionJob(ctx, jobId) : null;
    },
    predictionBacktest: async (_root, args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const parsed = z
        .object({ calibrationEnd: dateTime('calibrationEnd'), holdoutEnd: dateTime('holdoutEnd').nullish() })
        .safeParse(args);
      if (!parsed.success) throw new GraphQLError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), { extensions: { code: 'BAD_USER_INPUT' } });
      const calibrationEnd = parsed.data.calibrationEnd;
      const requested = parsed.data.holdoutEnd ?? null;
      if (requested && requested <= calibrationEnd) throw new GraphQLError('holdoutEnd must be after calibrationEnd', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'holdoutEnd' } });
      let result: Awaited<ReturnType<typeof backtestPredictions>>;
      try {
        result = await backtestPredictions(ctx.tenantId, calibrationEnd, requested);
      } catch (error) {
        if (error instanceof HoldoutError || error instanceof RangeError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', argumentName: 'calibrationEnd' } });
        // No customer had bought by calibrationEnd: nothing to fit, and the caller can fix that.
        if (error instanceof InvalidSummaryError && error.field === 'rows') {
          throw new GraphQLError('No customer had bought by calibrationEnd: choose a later calibrationEnd', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'calibrationEnd' } });
        }
        throw error;
      }
      const { spend } = result;
      return {
        calibrationEnd: calibrationEnd.toISOString(),
        holdoutEnd: result.holdoutEnd.toISOString(),
        holdoutEndSource: result.holdoutEndSource,
        holdoutWeeks: result.holdoutLength,
        customers: result.customers,
        r: result.model.r,
        alpha: result.model.alpha,
        a: result.model.a,
        b: result.model.b,
        logLikelihood: result.model.logLikelihood,
        converged: result.model.converged,
        atBound: result.model.atBound,
        spend: {
          status: spend.status,
          reason: spend.status === 'OK' ? null : spend.reason,
          p: spend.model?.p ?? null,
          q: spend.model?.q ?? null,
          gamma: spend.model?.gamma ?? null,
          logLikelihood: spend.model?.logLikelihood ?? null,
          atBound: spend.model?.atBound ?? [],
        },
        rows: result.rows.map((row) => ({
          frequency: row.x,
          customers: row.customers,
          actualMean: row.actualMean,
          predictedMean: row.predictedMean,
          actualSpendMean: row.actualSpendMean,
          predictedSpendMean: row.predictedSpendMean,
        })),
      };
    },
  },
  Mutation: {
    predictionsRefresh: async (_root, args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      return mutation(
        async () => {
          const input = refreshInput.parse(args.input ?? {});
          const now = ctx.clock.now();
          if (input.asOf && input.asOf > now) throw new InvalidInputError('asOf is in the future: a fit is as of a date the data has reached', ['asOf']);
          const { first } = await runIdempotent(
            { tenantId: ctx.tenantId, operation: 'predictionsRefresh', idempotencyKey: input.idempotencyKey, request: { asOf: input.asOf?.toISOString() ?? null }, now },
            async () => (await queuePredictionRefresh(ctx.tenantId, now, undefined, input.asOf ?? undefined)).jobId,
          );
          return { job: (await getPredictionJob(ctx.tenantId, first)) ?? null };
        },
        { job: null },
      );
    },
  },
  Customer: {
    prediction: async (customer, _args, ctx) => {
      if (!(await canReadCustomer(ctx, customer, 'METRICS_READ'))) throw forbidden('This needs a secret key with scope METRICS_READ');
      const state = requestState(ctx);
      const [model, item] = await Promise.all([state.model, state.loader.load(customer.customerId)]);
      const { customerId } = customer;
      if (!model) return { customerId, status: 'NOT_FITTED', reason: 'No fit has run yet', models: undefined, item: undefined };
      if (model.status !== 'OK') return { customerId, status: 'INSUFFICIENT_DATA', reason: model.reason ?? null, models: undefined, item: undefined };
      if (!item) return { customerId, status: 'INSUFFICIENT_DATA', reason: 'The customer had no counted order at the last fit', models: undefined, item: undefined };
      return { customerId, status: 'OK', reason: null, models: modelsOf(model), item };
    },
  },
  CustomerPrediction: {
    status: (view) => view.status,
    reason: (view) => view.reason,
    probabilityAlive: (view) => (view.item ? view.item.probabilityAlive : null),
    expectedPurchases: (view, args) => (view.models && view.item ? predictionAt(view.models, view.item, horizonDays(args.horizonDays)).expectedPurchases : null),
    expectedAverageOrderValue: (view, _args, ctx) =>
      view.models && view.item ? { amount: Math.round(predictionAt(view.models, view.item, 365).expectedAverageOrderValue), currencyCode: ctx.shop.currencyCode } : null,
    predictedValue: (view, args, ctx) =>
      view.models && view.item ? { amount: Math.round(predictionAt(view.models, view.item, horizonDays(args.horizonDays)).predictedValue), currencyCode: ctx.shop.currencyCode } : null,
    expectedNextOrderAt: (view) => (view.models && view.item ? (predictionAt(view.models, view.item, 365).expectedNextOrderAt?.toISOString() ?? null) : null),
    computedAt: (view) => view.item?.fittedAt ?? null,
    frequency: (view) => view.item?.x ?? null,
    recencyWeeks: (view) => view.item?.tx ?? null,
    ageWeeks: (view) => view.item?.T ?? null,
    // Never a silent nonsense number: without a fit, the empirical risk of the metrics stands in.
    fallbackChurnRisk: async (view, _args, ctx) => {
      if (view.status === 'OK') return null;
      const risk = await churnRiskOfCustomer(ctx, view.customerId);
      return risk ? { ...risk, expectedNextOrderAt: risk.expectedNextOrderAt?.toISOString() ?? null } : null;
    },
  },
  PredictionJob: {
    id: (job) => toGlobalId(job.tenantId, 'PredictionJob', job.jobId),
    asOf: (job) => job.asOf ?? null,
    processedCustomers: (job) => job.processedCustomers ?? 0,
    totalCustomers: (job) => job.totalCustomers ?? null,
    startedAt: (job) => job.startedAt ?? null,
    finishedAt: (job) => job.finishedAt ?? null,
    error: (job) => job.error ?? null,
  },
};
