import { Entity, type EntityItem } from 'electrodb';

const service = 'retention';

/** The tenant's fitted models (one item per tenant), or why there are none. */
export const PredictionModelEntity = new Entity({
  model: { entity: 'predictionModel', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    status: { type: ['OK', 'INSUFFICIENT_DATA'] as const, required: true },
    reason: { type: 'string' },
    fittedAt: { type: 'string', required: true },
    timeUnit: { type: ['day', 'week'] as const, required: true },
    customers: { type: 'number', required: true },
    repeatCustomers: { type: 'number', required: true },
    r: { type: 'number' },
    alpha: { type: 'number' },
    a: { type: 'number' },
    b: { type: 'number' },
    p: { type: 'number' },
    q: { type: 'number' },
    gamma: { type: 'number' },
    logLikelihood: { type: 'number' },
    spendLogLikelihood: { type: 'number' },
    fitMs: { type: 'number' },
  },
  indexes: {
    byTenant: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

/** A refresh of the models: queued by `predictionsRefresh` or the daily schedule, run by the worker. */
export const PredictionJobEntity = new Entity({
  model: { entity: 'predictionJob', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    jobId: { type: 'string', required: true, readOnly: true },
    status: { type: ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED'] as const, required: true },
    processedCustomers: { type: 'number', required: true, default: 0 },
    totalCustomers: { type: 'number' },
    createdAt: { type: 'string', required: true, readOnly: true },
    startedAt: { type: 'string' },
    /** Moves while a worker runs the job; a RUNNING job whose heartbeat is old is taken over. */
    heartbeatAt: { type: 'string' },
    finishedAt: { type: 'string' },
    error: { type: 'string' },
  },
  indexes: {
    byTenant: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: ['jobId'], casing: 'none' },
    },
  },
});

/**
 * One customer's summary at the last fit (x, t_x, T, mean repeat value) and the 365-day
 * predictions derived from it. Other horizons are computed on read from the summary and the
 * model. `valueKey` orders the index by predicted value.
 */
export const CustomerPredictionEntity = new Entity({
  model: { entity: 'customerPrediction', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    x: { type: 'number', required: true },
    tx: { type: 'number', required: true },
    T: { type: 'number', required: true },
    meanRepeatValue: { type: 'number' },
    asOf: { type: 'string', required: true },
    probabilityAlive: { type: 'number', required: true },
    predictedValue365: { type: 'number', required: true },
    valueKey: { type: 'string', required: true },
    fittedAt: { type: 'string', required: true },
  },
  indexes: {
    byCustomer: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    byPredictedValue: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'gsi2sk', composite: ['valueKey', 'customerId'], casing: 'none' },
    },
  },
});

export type PredictionModelItem = EntityItem<typeof PredictionModelEntity>;
export type PredictionJobItem = EntityItem<typeof PredictionJobEntity>;
export type CustomerPredictionItem = EntityItem<typeof CustomerPredictionEntity>;

/** Predicted value (minor units) as a fixed-width string, so the index sorts by value. */
export function valueKeyOf(predictedValue: number): string {
  return String(Math.max(0, Math.min(999_999_999_999, Math.round(predictedValue)))).padStart(12, '0');
}
