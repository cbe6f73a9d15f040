import { fitPredictionModels, predictCustomer, type ModelFit } from './clv.js';
import { storableNumber, valueKeyOf, type CustomerPredictionItem, type PredictionModelItem } from './predictions.entities.js';
import { summarizePurchases, type CustomerSummary, type Purchase, type TimeUnit } from './summary.js';

/**
 * A refresh without the storage: from every customer's purchases and an as-of date to the model
 * item and the customer prediction items of one generation, exactly as they are stored. The
 * service reads the purchases and writes the result; tests run it on whole data files in memory.
 */

/** The paper's unit; t_x and T keep day resolution within it. */
export const PREDICTION_UNIT: TimeUnit = 'week';
/** The horizon of the stored (sortable) predicted value. */
export const STORED_HORIZON_DAYS = 365;

export interface SnapshotInput {
  tenantId: string;
  /** Each customer's counted purchases (any order; purchases after `asOf` are ignored). */
  customers: Iterable<{ customerId: string; purchases: readonly Purchase[] }>;
  /** The fit's as-of instant: purchase days up to its local date count. */
  asOf: Date;
  /** True when the caller asked for this date (rather than taking the clock). */
  asOfRequested: boolean;
  timeZone: string;
  generation: string;
  fittedAt: Date;
}

export interface PredictionSnapshot {
  model: PredictionModelItem;
  /** Empty unless the model is OK. */
  predictions: CustomerPredictionItem[];
  fit: ModelFit;
}

/** Given every customer's purchases and an as-of date, returns the model and predictions to store. */
export function predictionSnapshot(input: SnapshotInput): PredictionSnapshot {
  const rows: Array<{ customerId: string; summary: CustomerSummary }> = [];
  for (const { customerId, purchases } of input.customers) {
    const summary = summarizePurchases(purchases, { calibrationEnd: input.asOf, unit: PREDICTION_UNIT, timeZone: input.timeZone });
    if (summary) rows.push({ customerId, summary });
  }
  // One order for the fit's input and the stored items, whatever order storage returned.
  rows.sort((p, q) => (p.customerId < q.customerId ? -1 : p.customerId > q.customerId ? 1 : 0));
  const started = performance.now();
  const fit = fitPredictionModels(
    rows.map((r) => r.summary),
    PREDICTION_UNIT,
  );
  const fitMs = Math.round(performance.now() - started);
  const fittedAt = input.fittedAt.toISOString();
  const base = {
    tenantId: input.tenantId,
    fittedAt,
    asOf: input.asOf.toISOString(),
    asOfRequested: input.asOfRequested,
    timeUnit: PREDICTION_UNIT,
    customers: rows.length,
    repeatCustomers: rows.filter((r) => r.summary.x > 0).length,
    fitMs,
  };
  if (fit.status !== 'OK') {
    return { model: { ...base, status: 'INSUFFICIENT_DATA', reason: fit.reason, ...(fit.atBound ? { atBound: fit.atBound } : {}) }, predictions: [], fit };
  }
  const predictions: CustomerPredictionItem[] = rows.map(({ customerId, summary }) => {
    const prediction = predictCustomer(fit.models, summary, STORED_HORIZON_DAYS, 'day');
    return {
      tenantId: input.tenantId,
      generation: input.generation,
      customerId,
      x: summary.x,
      tx: summary.tx,
      T: summary.T,
      ...(summary.meanRepeatValue !== null ? { meanRepeatValue: storableNumber('meanRepeatValue', summary.meanRepeatValue) } : {}),
      asOf: summary.asOf.toISOString(),
      probabilityAlive: storableNumber('probabilityAlive', prediction.probabilityAlive),
      predictedValue365: storableNumber('predictedValue365', prediction.predictedValue),
      valueKey: valueKeyOf(prediction.predictedValue),
      fittedAt,
    };
  });
  const model: PredictionModelItem = {
    ...base,
    status: 'OK',
    generation: input.generation,
    ...fit.models.bgnbd,
    ...fit.models.gammaGamma,
    logLikelihood: fit.bgnbd.logLikelihood,
    spendLogLikelihood: fit.gammaGamma.logLikelihood,
  };
  return { model, predictions, fit };
}
