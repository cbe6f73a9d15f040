import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop } from '../fixtures/api.js';
import { metricsStreamHandler } from '../fixtures/metrics.js';
import { expectReportsToMatch, importOrders } from '../fixtures/metrics-real.js';
import { loadCdnowSample } from '../fixtures/real-orders.js';
import { describeWithSharedData } from '../fixtures/shared-data.js';

// See tests/fixtures/metrics-real.ts for how the data is recorded.
let poller: StreamPoller;
beforeAll(async () => {
  poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, intervalMs: 0, handler: metricsStreamHandler });
});
afterAll(async () => {
  await poller.stop();
});

describeWithSharedData('metrics on the CDNOW sample (quarterly)', 'cdnow/CDNOW_sample.txt', (file) => {
  it('answers every report as the independent computation does for the customers whose id ends in 17, 57 or 97', async () => {
    const all = loadCdnowSample(file);
    const subset = all.filter((order) => ['17', '57', '97'].includes(order.customerId.slice(-2)));
    const t = await aShop({ timeZone: 'UTC', currencyCode: 'USD' });
    const final = await importOrders(t, subset, 1997);

    await poller.drain();

    expect(all).toHaveLength(6_919);
    expect(new Set(subset.map((order) => order.customerId)).size).toBeGreaterThan(60);
    await expectReportsToMatch(t, final, 'QUARTER');
  }, 600_000);
});

