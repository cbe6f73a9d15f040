import { beforeAll, expect, it } from 'vitest';
import { expectedPurchases, probabilityAlive } from '../../../lib/predictions/bgnbd.js';
import { predictCustomer } from '../../../lib/predictions/clv.js';
import { STORED_NUMBER_FLOOR } from '../../../lib/predictions/predictions.entities.js';
import { predictionSnapshot, type PredictionSnapshot } from '../../../lib/predictions/snapshot.js';
import { summarizePurchases, type Purchase } from '../../../lib/predictions/summary.js';
import { loadOnlineRetail } from '../../fixtures/real-orders.js';
import { describeWithSharedData } from '../../fixtures/shared-data.js';
import { CDNOW_CALIBRATION_END, loadCdnowSample } from './cdnow.js';

/**
 * The refresh's in-memory path (what `refreshPredictions` stores, without DynamoDB) on the whole
 * of both real files: the integration tests run the same path through DynamoDB on subsets.
 */

const snapshotOf = (customers: Array<{ customerId: string; purchases: Purchase[] }>, asOf: Date, timeZone: string): PredictionSnapshot =>
  predictionSnapshot({ tenantId: 'shop', customers, asOf, asOfRequested: true, timeZone, generation: 'g1', fittedAt: new Date('2026-12-03T12:00:00Z') });

describeWithSharedData('a refresh as of 1997-09-30 on the whole CDNOW sample', 'cdnow/CDNOW_sample.txt', (file) => {
  let customers: Array<{ customerId: string; purchases: Purchase[] }>;
  let snapshot: PredictionSnapshot;
  beforeAll(() => {
    customers = [...loadCdnowSample(file)].map(([id, purchases]) => ({ customerId: String(id), purchases }));
    // The whole file, 1998 included: asOf alone decides what counts.
    snapshot = snapshotOf(customers, CDNOW_CALIBRATION_END, 'UTC');
  }, 60_000);

  it('stores the published BG/NBD and Gamma-Gamma parameters, as of the stated date', () => {
    const { model } = snapshot;

    expect(model).toMatchObject({ status: 'OK', asOf: '1997-09-30T00:00:00.000Z', asOfRequested: true, customers: 2357, generation: 'g1' });
    expect({
      r: model.r!.toFixed(3),
      alpha: model.alpha!.toFixed(3),
      a: model.a!.toFixed(3),
      b: model.b!.toFixed(3),
      p: model.p!.toFixed(2),
      q: model.q!.toFixed(2),
      gammaInDollars: (model.gamma! / 100).toFixed(2),
    }).toEqual({ r: '0.243', alpha: '4.414', a: '0.793', b: '2.426', p: '6.25', q: '3.74', gammaInDollars: '15.44' });
  });

  it("stores customer 1516's published P(alive) 0.969 and E[Y(52)] 25.76", () => {
    const item = snapshot.predictions.find((p) => p.customerId === '1516')!;
    const params = { r: snapshot.model.r!, alpha: snapshot.model.alpha!, a: snapshot.model.a!, b: snapshot.model.b! };

    expect(item).toMatchObject({ x: 26, T: 31, asOf: '1997-09-30T00:00:00.000Z' });
    expect(item.probabilityAlive.toFixed(3)).toBe('0.969');
    expect(expectedPurchases(params, item.x, item.tx, item.T, 52).toFixed(2)).toBe('25.76');
  });

  it('fits bit for bit the same model whatever order the customers come in', () => {
    const reversed = snapshotOf([...customers].reverse(), CDNOW_CALIBRATION_END, 'UTC');
    const rotated = snapshotOf([...customers.slice(1000), ...customers.slice(0, 1000)], CDNOW_CALIBRATION_END, 'UTC');

    const pick = ({ model }: PredictionSnapshot) => [model.r, model.alpha, model.a, model.b, model.p, model.q, model.gamma, model.logLikelihood];
    expect(pick(reversed)).toEqual(pick(snapshot));
    expect(pick(rotated)).toEqual(pick(snapshot));
  });
});

describeWithSharedData('a refresh on the whole of Online Retail as of 2026-12-03', 'online_retail/online_retail.csv.gz', (file) => {
  let customers: Array<{ customerId: string; purchases: Purchase[] }>;
  let snapshot: PredictionSnapshot;
  const asOf = new Date('2026-12-03T12:00:00Z');
  beforeAll(() => {
    const byCustomer = new Map<string, Purchase[]>();
    for (const order of loadOnlineRetail(file).orders) byCustomer.set(order.customerId, [...(byCustomer.get(order.customerId) ?? []), { at: order.placedAt, amount: order.amount }]);
    customers = [...byCustomer].map(([customerId, purchases]) => ({ customerId, purchases }));
    snapshot = snapshotOf(customers, asOf, 'Europe/London');
  }, 120_000);

  it('fits, and stores only numbers DynamoDB can hold', () => {
    expect(snapshot.model.status).toBe('OK');
    expect(snapshot.predictions).toHaveLength(customers.length);
    for (const item of snapshot.predictions) {
      for (const value of [item.probabilityAlive, item.predictedValue365, item.meanRepeatValue ?? 0]) {
        expect(value === 0 || Math.abs(value) >= STORED_NUMBER_FLOOR).toBe(true);
      }
    }
  });

  it('stores P(alive) 0 for the customers whose P(alive) is below 1e-130 (14911, 12748), and the exact value otherwise', () => {
    const models = { unit: 'week' as const, bgnbd: { r: snapshot.model.r!, alpha: snapshot.model.alpha!, a: snapshot.model.a!, b: snapshot.model.b! }, gammaGamma: { p: snapshot.model.p!, q: snapshot.model.q!, gamma: snapshot.model.gamma! } };
    const exact = (id: string) => {
      const summary = summarizePurchases(customers.find((c) => c.customerId === id)!.purchases, { calibrationEnd: asOf, unit: 'week', timeZone: 'Europe/London' })!;
      return { alive: probabilityAlive(models.bgnbd, summary.x, summary.tx, summary.T), value: predictCustomer(models, summary, 365).predictedValue };
    };
    const stored = (id: string) => snapshot.predictions.find((p) => p.customerId === id)!;

    for (const id of ['14911', '12748']) {
      expect(exact(id).alive).toBeLessThan(1e-130);
      expect(stored(id).probabilityAlive).toBe(0);
    }
    const ordinary = snapshot.predictions.find((p) => p.probabilityAlive > 0.01)!;
    expect(ordinary.probabilityAlive).toBe(exact(ordinary.customerId).alive);
    expect(ordinary.predictedValue365).toBe(exact(ordinary.customerId).value);
  });
});
