import { upsertCustomer } from '../../lib/customers/index.js';
import { cancelOrder, recordOrder, refundOrder } from '../../lib/orders/index.js';
import { apiScopes, createApiKey, createShop, getShop } from '../../lib/shops/index.js';
import { seededRandom } from '../../lib/common/random.js';
import { generateDemoShop } from './demo-shop.js';

export const demoTenantId = 'demo-shop';

/**
 * Creates the demo shop and its year of orders (once: a persisted database keeps it), then mints
 * a fresh pair of keys to print. Returns the keys and a sample customer's external id.
 */
export async function seedDemoShop(now: Date, log: (line: string) => void = () => {}) {
  let seeded = false;
  if (!(await getShop(demoTenantId))) {
    await createShop({ tenantId: demoTenantId, name: 'Demo Coffee Roasters', currencyCode: 'EUR', timeZone: 'Europe/Berlin' }, now);
    const demo = generateDemoShop({ end: now, customers: 300 });
    await inParallel(demo.customers, (c) =>
      upsertCustomer(
        demoTenantId,
        { externalId: c.externalId, email: c.email, firstName: c.firstName, lastName: c.lastName, tags: [c.archetype.toLowerCase()], ...(c.newsletter ? { marketingConsent: { newsletter: 'SUBSCRIBED', source: 'checkout' } } : {}) },
        now,
      ),
    );
    const shop = { tenantId: demoTenantId, currencyCode: 'EUR' };
    let done = 0;
    await inParallel(demo.orders, async (order) => {
      await recordOrder(shop, order, now);
      done += 1;
      if (done % 200 === 0) log(`  seeded ${done}/${demo.orders.length} orders`);
    });
    // A few refunds and cancellations, as a real shop has.
    const random = seededRandom(7);
    for (const order of demo.orders) {
      const r = random();
      if (r < 0.02) await cancelOrder(demoTenantId, { orderId: order.orderId }, now);
      else if (r < 0.05) await refundOrder(demoTenantId, { orderId: order.orderId, refundId: `R-${order.orderId}`, amount: Math.max(1, Math.round(order.total * 0.3)) }, now);
    }
    log(`  seeded ${demo.customers.length} customers and ${demo.orders.length} orders`);
    seeded = true;
  }
  const secret = await createApiKey(demoTenantId, { name: `dev ${now.toISOString()}`, kind: 'SECRET', scopes: [...apiScopes] }, now);
  const publishable = await createApiKey(demoTenantId, { name: `dev storefront ${now.toISOString()}`, kind: 'PUBLISHABLE', scopes: [] }, now);
  const shop = (await getShop(demoTenantId))!;
  return { seeded, secretKey: secret.secret, publishableKey: publishable.secret, storefrontSecret: shop.storefrontSecret, sampleCustomer: 'demo-0001' };
}

/** Runs `task` over `items`, eight at a time (DynamoDB Local answers best to a few in flight). */
async function inParallel<T>(items: T[], task: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
    }),
  );
}
