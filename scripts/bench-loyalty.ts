import { mkdirSync, writeFileSync } from 'node:fs';
import { dynamo, ensureTable } from '../lib/db/client.js';
import { measure as measureOnce, type Figures } from './local/measure.js';
import { startDynamoDbLocal } from './local/dynamodb-local.js';
import { useLocalKeyEncryptionKey } from './local/local-kek.js';

/**
 * `npm run bench` (second part): latency and DynamoDB requests of the storefront loyalty statement
 * (`me { loyalty { ... } }` with a publishable key and customer token) and of a redemption, through
 * the full Lambda handler against DynamoDB Local. Writes bench-results/loyalty.{json,md}.
 */
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const measure = (operation: string, run: (i: number) => Promise<void>) => measureOnce(operation, run, ITERATIONS);


async function main(): Promise<void> {
  const local = await startDynamoDbLocal({ quiet: true });
  useLocalKeyEncryptionKey();
  try {
    process.env.DYNAMODB_ENDPOINT = local.endpoint;
    process.env.TABLE_NAME = 'bench-loyalty';
    await ensureTable(dynamo().raw, 'bench-loyalty');
    const { aShop, anOrder, ORDER_RECORD } = await import('../tests/fixtures/api.js');
    const { earnForOrder } = await import('../lib/loyalty/index.js');
    const { getOrder } = await import('../lib/orders/index.js');

    const t = await aShop({ now: '2026-06-01T12:00:00.000Z' });
    const gql = async (query: string, variables: Record<string, unknown> = {}, headers?: Record<string, string>) => {
      const res = await t.gql(query, variables, headers);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!;
    };
    await gql(`mutation { loyaltyProgramUpdate(input: { pointsPerUnit: 1, pendingDays: 0, expiry: { type: AFTER_DAYS, days: 365 } }) { userErrors { message } } }`);
    await gql(
      `mutation ($input: LoyaltyTierConfigInput!) { loyaltyTiersApply(input: $input) { userErrors { message } } }`,
      { input: { metric: 'POINTS_EARNED', window: 'CALENDAR_YEAR', tiers: [{ id: 'silver', name: 'Silver', entryThreshold: 500, multiplier: 1.25 }, { id: 'gold', name: 'Gold', entryThreshold: 2000, multiplier: 1.5 }] } },
    );
    for (let r = 0; r < 8; r++) {
      await gql(`mutation ($input: LoyaltyRewardCreateInput!) { loyaltyRewardCreate(input: $input) { userErrors { message } } }`, {
        input: { name: `Reward ${r}`, kind: 'FIXED_AMOUNT', value: 500 * (r + 1), pointsCost: 100 * (r + 1) },
      });
    }
    // A customer with a year of orders (the stream's earn applied directly: no poller in the bench).
    for (let m = 0; m < 12; m++) {
      const input = anOrder({ customer: { externalId: 'bench-customer' }, subtotal: 4_000 + m * 100, placedAt: `2025-${String(m + 1).padStart(2, '0')}-15T10:00:00Z` });
      await gql(ORDER_RECORD, { input });
      const order = (await getOrder(t.tenantId, input.orderId))!;
      await earnForOrder({ tenantId: t.tenantId, currencyCode: 'EUR', timeZone: 'Europe/Berlin' }, order, order.createdAt);
    }
    const customerId = (await gql(`{ customerByExternalId(externalId: "bench-customer") { id } }`)).customerByExternalId.id as string;
    await gql(`mutation ($c: ID!) { loyaltyPointsAdjust(input: { customer: $c, points: 100000000, reason: "bench", idempotencyKey: "bench" }) { userErrors { message } } }`, { c: customerId });
    const rewardId = (await gql(`{ loyaltyRewards { rewardId pointsCost } }`)).loyaltyRewards.find((r: { pointsCost: number }) => r.pointsCost === 100).rewardId as string;
    const storefront = { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('bench-customer', { expiresInSeconds: 86_400 }) };

    const statementQuery = `{
      me { loyalty {
        pointsName joined
        balance { available pending lifetimeEarned lifetimeSpent shortfall }
        pointsExpiringSoon(withinDays: 90) { date expiresAt points }
        tier { currentTier { id name multiplier } nextTier { id } progressValue amountToNextTier amountToRetain reevaluatesAt }
        rewards { reward { rewardId name pointsCost kind value } affordable eligible pointsMissing }
        entries(first: 10) { nodes { type points reason sourceType sourceId at availableAt expiresAt } pageInfo { hasNextPage endCursor } }
      } }
    }`;
    const figures: Figures[] = [];
    figures.push(await measure('storefront statement: me { loyalty { balance, expiring, tier, rewards, entries(10) } }', async () => {
      await gql(statementQuery, {}, storefront);
    }));
    figures.push(await measure('loyaltyRewardRedeem (secret key, new idempotency key)', async (i) => {
      const res = await gql(`mutation ($input: LoyaltyRewardRedeemInput!) { loyaltyRewardRedeem(input: $input) { coupon { code } userErrors { code } } }`, {
        input: { customer: customerId, rewardId, idempotencyKey: `bench-${i}` },
      });
      if (!res.loyaltyRewardRedeem.coupon) throw new Error(JSON.stringify(res));
    }));
    figures.push(await measure('loyaltyRewardRedeem (storefront token)', async (i) => {
      const res = await gql(`mutation ($input: LoyaltyRewardRedeemInput!) { loyaltyRewardRedeem(input: $input) { coupon { code } userErrors { code } } }`, {
        input: { rewardId, idempotencyKey: `bench-sf-${i}` },
      }, storefront);
      if (!res.loyaltyRewardRedeem.coupon) throw new Error(JSON.stringify(res));
    }));

    const result = { measuredAt: new Date().toISOString(), node: process.version, machine: `${process.platform}/${process.arch}`, iterations: ITERATIONS, operations: figures };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/loyalty.json', `${JSON.stringify(result, null, 2)}\n`);
    const md = [
      `# Loyalty benchmark (${result.measuredAt}, Node ${process.version}, DynamoDB Local, ${ITERATIONS} iterations)`,
      '',
      '| operation | p50 ms | p95 ms | DynamoDB requests/op (max) | RCU/op | WCU/op | requests by command |',
      '|---|---|---|---|---|---|---|',
      ...figures.map(
        (f) =>
          `| ${f.operation} | ${f.p50ms} | ${f.p95ms} | ${f.dynamoRequestsPerOp} (${f.maxRequestsPerOp}) | ${f.readCapacityPerOp} | ${f.writeCapacityPerOp} | ${Object.entries(f.commands).map(([k, v]) => `${k.replace('Command', '')} ${v}`).join(', ')} |`,
      ),
      '',
      'Requests are those of the whole request. The API key is cached per container (30 s). The storefront',
      "customer's identity (`me`) costs 2 GetItems (external-id claim, then the customer item; customers domain).",
      'The statement itself is one round of parallel reads: the member (GetItem, or one BatchGetItem for a page',
      "of customers; it holds the balance state, tier and the 10 newest ledger entries) and the shop's loyalty",
      'configuration (one Query: program + rewards), which is cached per container for 15 s for display',
      "(LOYALTY_CONFIG_CACHE_TTL_MS; this container's own writes forget it), so the warm statement is 3 requests",
      'and a cold one 4. Redemption reads the configuration fresh: customer check, configuration Query,',
      'member + receipt GetItems in parallel, one TransactWriteItems (member, entry, receipt, coupon, reward',
      'condition/stock). Its write units are dominated by the member item (lots, recent entries), written',
      'transactionally (2x).',
      '',
    ].join('\n');
    writeFileSync('bench-results/loyalty.md', md);
    console.log(md);
  } finally {
    await local.stop();
  }
}

await main();
