import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop } from '../fixtures/api.js';
import { metricsStreamHandler } from '../fixtures/metrics.js';
import { expectReportsToMatch, importOrders } from '../fixtures/metrics-real.js';
import { loadOnlineRetail } from '../fixtures/real-orders.js';
import { utcPeriodKey } from '../fixtures/reference-metrics.js';
import { describeWithSharedData } from '../fixtures/shared-data.js';

// See tests/fixtures/metrics-real.ts for how the data is recorded.
let poller: StreamPoller;
beforeAll(async () => {
  poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, intervalMs: 0, handler: metricsStreamHandler });
});
afterAll(async () => {
  await poller.stop();
});

describeWithSharedData('metrics on Online Retail (monthly, Europe/London)', 'online_retail/online_retail.csv.gz', (file) => {
  it('answers every report as the independent computation does for the customers whose id ends in 27', async () => {
    const subset = loadOnlineRetail(file).orders.filter((order) => order.customerId.endsWith('27'));
    const t = await aShop({ timeZone: 'Europe/London', currencyCode: 'GBP' });
    const final = await importOrders(t, subset, 2010);

    await poller.drain();

    expect(new Set(subset.map((order) => order.customerId)).size).toBeGreaterThan(30);
    // The shop's own calendar date, as the file states it, decides the month: not lib/metrics' zone arithmetic.
    const localDates = new Map(subset.map((order) => [order.orderId, order.localDate]));
    await expectReportsToMatch(t, final, 'MONTH', (order) => utcPeriodKey(Date.parse(`${localDates.get(order.orderId)}T00:00:00Z`), 'MONTH'));
  }, 600_000);
});
