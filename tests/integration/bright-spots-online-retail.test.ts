import { afterAll, beforeAll, expect, it } from 'vitest';
import { metricsProjection } from '../../lib/metrics/metrics.projection.js';
import { purchasesProjection } from '../../lib/metrics/metrics.purchases.js';
import { computeSegments } from '../../lib/metrics/metrics.segments.js';
import { recordOrder } from '../../lib/orders/index.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop, type TestShop } from '../fixtures/api.js';
import { loadOnlineRetailInvoices, type RealInvoice } from '../fixtures/real-orders.js';
import { describeWithSharedData } from '../fixtures/shared-data.js';
import { seededRandom, seededShuffle } from '../unit/metrics/consumer.js';

const BRIGHT_SPOTS = /* GraphQL */ `
  query ($from: String!, $to: String!) {
    loyalCustomerProducts(period: { from: $from, to: $to }, first: 100) {
      segmentationRunAt
      products { key loyalUnits otherUnits }
      foldedProducts { loyalUnits otherUnits }
    }
  }
`;

let poller: StreamPoller;
beforeAll(async () => {
  poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, intervalMs: 0, handler: createStreamHandler([metricsProjection, purchasesProjection]) });
});
afterAll(async () => {
  await poller.stop();
});

async function importInvoices(t: TestShop, invoices: readonly RealInvoice[]) {
  const shop = { tenantId: t.tenantId, currencyCode: 'GBP' };
  for (let i = 0; i < invoices.length; i += 16) {
    await Promise.all(
      invoices.slice(i, i + 16).map((invoice) => {
        const lineItems = invoice.lines.map((line) => ({ sku: line.sku, productId: line.sku, quantity: line.quantity, unitPrice: line.unitPrice }));
        const subtotal = lineItems.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
        const input = { orderId: invoice.invoiceNo, customer: { externalId: invoice.customerId }, placedAt: new Date(invoice.placedAt).toISOString(), currencyCode: 'GBP', subtotal, discounts: 0, shipping: 0, tax: 0, total: subtotal, lineItems, discountCodes: [] };
        return recordOrder(shop, input as never, t.clock.now());
      }),
    );
  }
  await poller.drain();
}

/**
 * Bright spots on real data: the customers of Online Retail whose id ends in 27, every invoice line
 * kept (the file has orders of well over 25 products), imported into two shops in two arrival
 * orders and segmented as of the file's end. The answers must be the same, and each product's
 * units the file's own sum for November 2011.
 */
describeWithSharedData('bright spots on Online Retail (customers ending in 27)', 'online_retail/online_retail.csv.gz', (file) => {
  it('gives the same answer for two arrival orders, with every product unit the file has', async () => {
    const invoices = loadOnlineRetailInvoices(file, (customerId) => customerId.endsWith('27')).filter((invoice) => invoice.lines.length <= 500);
    const november = invoices.filter((invoice) => invoice.localDate >= '2011-11-01' && invoice.localDate <= '2011-11-30');
    expect(november.some((invoice) => invoice.lines.length > 25)).toBe(true);
    const answers = [];
    for (const seed of [1, 2]) {
      const t = await aShop({ timeZone: 'Europe/London', currencyCode: 'GBP', now: '2011-12-10T12:00:00Z' });
      const arrivals = seed === 1 ? seededShuffle(invoices, seededRandom(27)) : [...invoices].reverse();
      await importInvoices(t, arrivals);
      await computeSegments(t.tenantId, t.clock.now());
      const res = await t.gql(BRIGHT_SPOTS, { from: '2011-11-01', to: '2011-11-30' });
      expect(res.errors).toBeUndefined();
      answers.push(res.data!.loyalCustomerProducts);
    }

    expect(answers[0].segmentationRunAt).not.toBeNull();
    expect({ ...answers[1], segmentationRunAt: null }).toEqual({ ...answers[0], segmentationRunAt: null });
    // Independently from the file: each product's November units over both sides.
    const units = new Map<string, number>();
    for (const invoice of november) for (const line of invoice.lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity);
    expect(answers[0].products.length).toBeGreaterThan(10);
    for (const product of answers[0].products) {
      expect(product.loyalUnits + product.otherUnits, product.key).toBe(units.get(product.key));
    }
    expect(answers[0].foldedProducts).toEqual({ loyalUnits: 0, otherUnits: 0 });
  }, 300_000);
});
