import { upsertCustomer } from '../../lib/customers/index.js';
import { cancelOrder, recordOrder, refundOrder } from '../../lib/orders/index.js';
import { fixedClock } from '../../lib/common/clock.js';
import { createGraphQLHandler } from '../../lib/graphql/server.js';
import { apiScopes, createApiKey, createShop, getShop } from '../../lib/shops/index.js';
import { callGraphQL } from '../local/invoke.js';
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
    // Programs first, so that the stream earns points and attributes referrals for the seeded orders.
    const seedKey = await createApiKey(demoTenantId, { name: 'seed', kind: 'SECRET', scopes: [...apiScopes] }, now);
    await configureDemoPrograms(seedKey.secret, now);
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
    await answerDemoSurvey(seedKey.secret, demo.customers.slice(0, 40).map((c) => c.externalId), now);
    log(`  seeded ${demo.customers.length} customers, ${demo.orders.length} orders, a loyalty and a referral program, an NPS survey`);
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

/** Sends one GraphQL request through the Lambda handler; any error stops the seed. */
let seedHandler: ReturnType<typeof createGraphQLHandler> | undefined;

async function gql(key: string, now: Date, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const handler = (seedHandler ??= createGraphQLHandler({ clock: fixedClock(now), throttle: false }));
  const res = await callGraphQL(handler, query, variables, { authorization: `Bearer ${key}` });
  const payload = res.data ? Object.values(res.data)[0] : undefined;
  const userErrors = (payload as { userErrors?: unknown[] } | undefined)?.userErrors;
  if (res.errors?.length || userErrors?.length) throw new Error(`seed: ${JSON.stringify(res.errors ?? userErrors)}`);
  return res.data;
}

/** The demo shop's loyalty program (with tiers and rewards), referral program and NPS survey. */
async function configureDemoPrograms(key: string, now: Date): Promise<void> {
  await gql(key, now, `mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { userErrors { message } } }`, {
    input: {
      pointsName: 'Beans',
      pointsPerUnit: 1,
      pendingDays: 14,
      expiry: { type: 'AFTER_DAYS', days: 365 },
      actions: [
        { action: 'SURVEY_COMPLETED', points: 50 },
        { action: 'SOCIAL_SHARE', points: 25 },
        { action: 'REVIEW', points: 40 },
      ],
    },
  });
  await gql(key, now, `mutation ($input: LoyaltyTierConfigInput!) { loyaltyTiersApply(input: $input) { userErrors { message } } }`, {
    input: {
      metric: 'POINTS_EARNED',
      window: 'ROLLING_12_MONTHS',
      tiers: [
        { id: 'bronze', name: 'Bronze', entryThreshold: 0 },
        { id: 'silver', name: 'Silver', entryThreshold: 300, multiplier: 1.25 },
        { id: 'gold', name: 'Gold', entryThreshold: 800, multiplier: 1.5, freeShipping: true, perks: ['Early access to new roasts'] },
      ],
    },
  });
  for (const reward of [
    { name: '5 EUR off', kind: 'FIXED_AMOUNT', value: 500, pointsCost: 250, idempotencyKey: 'demo-5-off' },
    { name: 'Free shipping', kind: 'FREE_SHIPPING', pointsCost: 150, idempotencyKey: 'demo-free-shipping' },
    { name: '15% off', kind: 'PERCENTAGE', value: 15, pointsCost: 600, tierRequired: 'gold', idempotencyKey: 'demo-15-off' },
  ]) {
    await gql(key, now, `mutation ($input: LoyaltyRewardCreateInput!) { loyaltyRewardCreate(input: $input) { userErrors { message } } }`, { input: reward });
  }
  await gql(key, now, `mutation ($input: ReferralProgramUpdateInput!) { referralProgramUpdate(input: $input) { userErrors { message } } }`, {
    input: { referrerReward: { type: 'POINTS', points: 500 }, refereeReward: { kind: 'FIXED_AMOUNT', value: 1000, minimumOrderAmount: 3000 }, holdDays: 14, urlTemplate: 'https://demo-coffee.example/r/{code}' },
  });
  const en = (text: string) => [{ locale: 'en', text }];
  const created = await gql(key, now, `mutation ($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id } userErrors { message } } }`, {
    input: {
      name: 'How are we doing?',
      kind: 'NPS',
      defaultLocale: 'en',
      scoreQuestion: { texts: [...en('How likely are you to recommend Demo Coffee Roasters?'), { locale: 'de', text: 'Wie wahrscheinlich empfehlen Sie uns weiter?' }] },
      questions: [
        { key: 'what-went-wrong', type: 'TEXT', texts: en('What went wrong?'), maxLength: 500, showWhenScore: { min: 0, max: 6 } },
        { key: 'what-you-liked', type: 'TEXT', texts: en('What did you like?'), maxLength: 500, showWhenScore: { min: 9, max: 10 } },
      ],
      idempotencyKey: 'demo-nps',
    },
  });
  demoSurveyId = created.surveyCreate.survey.id;
  await gql(key, now, `mutation ($id: ID!) { surveyActivate(input: { id: $id }) { userErrors { message } } }`, { id: demoSurveyId });
}

let demoSurveyId = '';

/** A few answers to the demo survey, so its results and the follow-up list are not empty. */
async function answerDemoSurvey(key: string, externalIds: string[], now: Date): Promise<void> {
  const random = seededRandom(11);
  for (const externalId of externalIds) {
    const customer = await gql(key, now, `query ($id: String!) { customerByExternalId(externalId: $id) { id } }`, { id: externalId });
    const score = Math.min(10, Math.floor(random() * 6) + (random() < 0.6 ? 5 : 0));
    const answers: Array<Record<string, unknown>> = [{ questionKey: 'score', rating: score }];
    if (score <= 6) answers.push({ questionKey: 'what-went-wrong', text: 'Delivery took longer than promised.' });
    if (score >= 9) answers.push({ questionKey: 'what-you-liked', text: 'Great espresso roast.' });
    await gql(key, now, `mutation ($input: SurveyResponseSubmitInput!) { surveyResponseSubmit(input: $input) { userErrors { message } } }`, {
      input: { surveyId: demoSurveyId, customerId: customer.customerByExternalId.id, answers },
    });
  }
}
