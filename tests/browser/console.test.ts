/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as streamHandler } from '../../functions/stream.js';
import { computeSegments } from '../../lib/metrics/metrics.segments.js';
import { buildConsole } from '../../scripts/build-console.js';
import { startApiGatewayServer, type ApiGatewayServer } from '../../scripts/local/apigw-server.js';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop, anOrder, type TestShop } from '../fixtures/api.js';
import { hasChromium, launchChromium, screenshotDir, type RunningBrowser } from './chromium.js';

/**
 * The console and the explorer in a real browser (Debian's Chromium), against the API served as
 * `npm run dev` serves it, for a small shop seeded through the API: the numbers on the page are
 * compared with the same figures asked of the API directly.
 */
const DAY = 86_400_000;
const NOW = '2026-03-01T12:00:00.000Z';
const en = (text: string) => [{ locale: 'en', text }];

async function ok(t: TestShop, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await t.gql(query, variables);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

/** The table the page shows for a chart: one object per row, the API's raw values (data-value). */
async function tableOf(page: Page, id: string): Promise<Array<Record<string, string>>> {
  return page.$$eval(`[data-testid="table-${id}"] tbody tr`, (rows) =>
    rows.map((row) => Object.fromEntries([...row.querySelectorAll('td')].map((td) => [td.dataset.field!, td.dataset.value!]))),
  );
}

const raw = (value: number | string | null | undefined): string => (value == null ? '' : String(value));

describe.skipIf(!hasChromium)('the console in Chromium', () => {
  let t: TestShop;
  let poller: StreamPoller;
  let api: ApiGatewayServer;
  let storefront: ApiGatewayServer;
  let chromium: RunningBrowser;
  let dist: string;
  let origin: string;
  const blocked: string[] = [];

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'retention-console-'));
    process.env.CONSOLE_DEV_CONNECTION_URL = '/console/dev-connection.json';
    const built = buildConsole({ outDir: dist });
    t = await aShop({ now: NOW, timeZone: 'Europe/Berlin' });
    delete process.env.CONSOLE_DEV_CONNECTION_URL;
    poller = await startStreamPoller({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, handler: streamHandler, intervalMs: 0 });

    await ok(t, `mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { userErrors { message } } }`, {
      input: { pointsPerUnit: 1, pendingDays: 0, actions: [{ action: 'SURVEY_COMPLETED', points: 50 }] },
    });
    await ok(t, `mutation ($input: ReferralProgramUpdateInput!) { referralProgramUpdate(input: $input) { userErrors { message } } }`, {
      input: { referrerReward: { type: 'POINTS', points: 500 }, refereeReward: { kind: 'FIXED_AMOUNT', value: 1000 }, holdDays: 14 },
    });
    // Twelve customers over five months: customer i orders (i % 4) + 1 times, a month apart.
    const now = Date.parse(NOW);
    for (let i = 0; i < 12; i += 1) {
      for (let k = 0; k <= i % 4; k += 1) {
        const placedAt = new Date(now - (20 + 30 * k + 9 * i) * DAY).toISOString();
        const recorded = await t.gql(`mutation ($input: OrderRecordInput!) { orderRecord(input: $input) { userErrors { message } } }`, {
          input: anOrder({ orderId: `b-${i}-${k}`, customer: { externalId: `c${i}` }, placedAt, subtotal: 2_000 + 500 * i }),
        });
        expect(recorded.data!.orderRecord.userErrors).toEqual([]);
      }
    }
    await poller.drain();
    const referrer = await ok(t, `{ customerByExternalId(externalId: "c0") { referral { code } } }`);
    await t.gql(`mutation ($input: OrderRecordInput!) { orderRecord(input: $input) { userErrors { message } } }`, {
      input: anOrder({ orderId: 'b-referred', customer: { externalId: 'referred' }, placedAt: new Date(now - 5 * DAY).toISOString(), referralCode: referrer.customerByExternalId.referral.code }),
    });
    const survey = await ok(t, `mutation ($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id } } }`, {
      input: { name: 'NPS', kind: 'NPS', defaultLocale: 'en', allowRepeats: true, scoreQuestion: { texts: en('How likely are you to recommend us?') }, questions: [] },
    });
    const surveyId = survey.surveyCreate.survey.id;
    await ok(t, `mutation ($id: ID!) { surveyActivate(input: { id: $id }) { userErrors { message } } }`, { id: surveyId });
    for (const [externalId, rating] of [['c1', 10], ['c2', 9], ['c3', 4]] as const) {
      const customer = await ok(t, `query ($e: String!) { customerByExternalId(externalId: $e) { id } }`, { e: externalId });
      await ok(t, `mutation ($input: SurveyResponseSubmitInput!) { surveyResponseSubmit(input: $input) { userErrors { message } } }`, {
        input: { surveyId, customerId: customer.customerByExternalId.id, answers: [{ questionKey: 'score', rating }] },
      });
    }
    for (let round = 0; round < 20 && (await poller.drain()) > 0; round += 1);
    // The daily segmentation job, run now rather than waited for.
    await computeSegments(t.tenantId, t.clock.now());
    await computeSegments(t.tenantId, new Date(Date.parse(NOW) - 5 * DAY));

    await built;
    const connection = { shopName: 'Test shop', secretKey: t.adminKey, publishableKey: t.publishableKey, customerToken: await t.customerToken('c1'), sampleCustomer: 'c1' };
    api = await startApiGatewayServer({
      port: 0,
      handler: t.handler as never,
      staticDirs: { '/console': dist },
      documents: { '/console/dev-connection.json': { contentType: 'application/json', body: JSON.stringify(connection) } },
    });
    origin = new URL(api.url).origin;
    chromium = await launchChromium();
    // The page's clock is the shop's fixed one, so its default range and "this month" match the seed.
    await chromium.context.clock.setFixedTime(new Date(NOW));
    // Offline: anything but the local servers is refused and recorded.
    await chromium.context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
  }, 240_000);

  afterAll(async () => {
    await chromium?.close();
    await api?.close();
    await storefront?.close();
    await poller?.stop();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it('shows every chart with the numbers the API returns', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${origin}/console/`);
    await page.fill('input[name="key"]', t.adminKey);
    await page.click('form.connect button[type="submit"]');
    await page.waitForSelector('[data-chart="feedback"] canvas', { timeout: 30_000 });
    expect(await page.evaluate(() => sessionStorage.getItem('retention-console.key'))).toBe(t.adminKey);

    // Every chart drew itself.
    const charts = await page.$$eval('[data-chart]', (els) => els.map((el) => ({ id: (el as HTMLElement).dataset.chart, drawn: el.querySelector('canvas') !== null })));
    expect(charts.map((c) => c.id)).toEqual([
      'retention', 'customers', 'repeat', 'revenue', 'cohort-retention', 'cohort-revenue', 'lifetime-value', 'segments', 'loyalty-points', 'loyalty-members', 'referrals', 'feedback',
    ]);
    expect(charts.every((c) => c.drawn)).toBe(true);

    const range = { granularity: 'MONTH', from: '2025-04', to: '2026-03' };
    const direct = await ok(
      t,
      `query ($granularity: MetricsGranularity!, $from: String!, $to: String!) {
        prev: retentionReport(granularity: $granularity, from: $from, to: $to) { definitions { timeZone revenueBasis lookback } periods { period customerRetentionRate churnRate newCustomers customersAtEnd repeatPurchaseRate revenue { amount } averageOrderValue { amount } } }
        all: retentionReport(granularity: $granularity, from: $from, to: $to, lookback: ALL_PRIOR) { periods { customerRetentionRate churnRate } }
        cohortReport(granularity: $granularity, from: $from, to: $to) { cohorts { cohort size cells { offset retention cumulativeRevenuePerCustomer { amount } } } }
        lifetimeValueReport(granularity: $granularity, from: $from, to: $to) { averageHistoricValue { amount } projectedValue { amount } }
        loyaltyReport(granularity: $granularity, from: $from, to: $to) { periods { period pointsIssued pointsRedeemed pointsExpired outstandingPoints memberPurchases { revenue { amount } } } }
        referralReport(granularity: $granularity, from: $from, to: $to) { periods { referralsStarted referralsCompleted } }
        feedbackReport(granularity: $granularity, from: $from, to: $to) { periods { period nps { score promoters passives detractors } } }
        segmentCounts(from: "2026-02-01T00:00:00Z", to: "${NOW}") { computedAt groups { group customers } }
        customers(first: 20, filter: { segment: AT_RISK }) { nodes { id statistics { ordersCount } churnRisk { level } } }
      }`,
      range,
    );

    const retention = await tableOf(page, 'retention');
    expect(retention.map((r) => r.period)).toEqual(direct.prev.periods.map((p: any) => p.period));
    expect(retention.map((r) => [r.customerRetentionRate, r.churnRate, r['allPrior.customerRetentionRate'], r['allPrior.churnRate']])).toEqual(
      direct.prev.periods.map((p: any, i: number) => [raw(p.customerRetentionRate), raw(p.churnRate), raw(direct.all.periods[i].customerRetentionRate), raw(direct.all.periods[i].churnRate)]),
    );
    expect(direct.prev.periods.some((p: any) => p.customerRetentionRate != null)).toBe(true);
    expect((await tableOf(page, 'customers')).map((r) => [r.newCustomers, r.returningCustomers])).toEqual(
      direct.prev.periods.map((p: any) => [raw(p.newCustomers), raw(p.customersAtEnd - p.newCustomers)]),
    );
    expect((await tableOf(page, 'repeat')).map((r) => r.repeatPurchaseRate)).toEqual(direct.prev.periods.map((p: any) => raw(p.repeatPurchaseRate)));
    expect((await tableOf(page, 'revenue')).map((r) => [r.revenue, r.averageOrderValue])).toEqual(
      direct.prev.periods.map((p: any) => [raw(p.revenue.amount), raw(p.averageOrderValue?.amount)]),
    );
    const cohorts = await tableOf(page, 'cohort-retention');
    expect(cohorts.map((r) => [r.cohort, r.size, r.offset0, r.offset1])).toEqual(
      direct.cohortReport.cohorts.map((c: any) => [c.cohort, raw(c.size), raw(c.cells[0]?.retention), raw(c.cells[1]?.retention)]),
    );
    expect((await tableOf(page, 'cohort-revenue')).map((r) => r.offset1)).toEqual(direct.cohortReport.cohorts.map((c: any) => raw(c.cells[1]?.cumulativeRevenuePerCustomer?.amount)));
    const value = await page.$$eval('[data-testid="table-lifetime-value"] [data-field]', (els) => Object.fromEntries(els.map((el) => [(el as HTMLElement).dataset.field, (el as HTMLElement).dataset.value])));
    expect([value.averageHistoricValue, value.projectedValue]).toEqual([raw(direct.lifetimeValueReport.averageHistoricValue?.amount), raw(direct.lifetimeValueReport.projectedValue?.amount)]);
    expect((await tableOf(page, 'loyalty-points')).map((r) => [r.period, r.pointsIssued, r.pointsRedeemed, r.pointsExpired, r.outstandingPoints])).toEqual(
      direct.loyaltyReport.periods.map((p: any) => [p.period, raw(p.pointsIssued), raw(p.pointsRedeemed), raw(p.pointsExpired), raw(p.outstandingPoints)]),
    );
    expect(direct.loyaltyReport.periods.some((p: any) => p.pointsIssued > 0)).toBe(true);
    expect((await tableOf(page, 'loyalty-members')).map((r) => r['memberPurchases.revenue'])).toEqual(direct.loyaltyReport.periods.map((p: any) => raw(p.memberPurchases.revenue.amount)));
    expect((await tableOf(page, 'referrals')).map((r) => [r.referralsStarted, r.referralsCompleted])).toEqual(
      direct.referralReport.periods.map((p: any) => [raw(p.referralsStarted), raw(p.referralsCompleted)]),
    );
    expect((await tableOf(page, 'feedback')).map((r) => [r.period, r['nps.score'], r['nps.promoters'], r['nps.passives'], r['nps.detractors']])).toEqual(
      direct.feedbackReport.periods.map((p: any) => [p.period, raw(p.nps.score), raw(p.nps.promoters), raw(p.nps.passives), raw(p.nps.detractors)]),
    );
    expect(direct.feedbackReport.periods.at(-1).nps.promoters).toBe(2);
    // This month's run against last month's: the seed ran one in each.
    const [lastMonthRun, thisMonthRun] = direct.segmentCounts;
    const segments = await tableOf(page, 'segments');
    for (const row of segments) {
      expect(row.thisMonth).toBe(raw(thisMonthRun.groups.find((g: any) => g.group === row.group)?.customers ?? 0));
      expect(row.lastMonth).toBe(raw(lastMonthRun.groups.find((g: any) => g.group === row.group)?.customers ?? 0));
    }
    expect(segments.length).toBeGreaterThan(0);
    const atRisk = direct.customers.nodes;
    if (atRisk.length > 0) expect((await tableOf(page, 'at-risk')).map((r) => r.ordersCount)).toEqual(atRisk.map((c: any) => raw(c.statistics.ordersCount)));
    // Each chart states the definitions the API reported.
    expect(await page.textContent('[data-testid="definitions-retention"]')).toContain(`time zone ${direct.prev.definitions.timeZone}`);
    expect(await page.textContent('[data-testid="definitions-revenue"]')).toContain(`revenue basis ${direct.prev.definitions.revenueBasis}`);
    expect(await page.textContent('[data-testid="definitions-revenue"]')).toContain(`lookback ${direct.prev.definitions.lookback}`);

    await page.screenshot({ path: join(screenshotDir, 'console.png'), fullPage: true });
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.screenshot({ path: join(screenshotDir, 'console-tablet.png') });

    // The customer page, from the RFM table's customer.
    const customer = await ok(t, `{ customerByExternalId(externalId: "c3") { id statistics { ordersCount totalSpent { amount } } loyalty { balance { available } } } }`);
    await page.goto(`${origin}/console/#/customers/${encodeURIComponent(customer.customerByExternalId.id)}`);
    await page.waitForSelector('[data-testid="customer-statistics"]');
    const stats = await page.$$eval('[data-testid="customer-statistics"] dd, [data-testid="customer-loyalty"] dd', (els) =>
      Object.fromEntries(els.map((el) => [(el as HTMLElement).dataset.field, (el as HTMLElement).dataset.value])),
    );
    expect([stats.ordersCount, stats.totalSpent, stats.available, stats.latestNpsCategory]).toEqual([
      raw(customer.customerByExternalId.statistics.ordersCount),
      raw(customer.customerByExternalId.statistics.totalSpent.amount),
      raw(customer.customerByExternalId.loyalty.balance.available),
      'DETRACTOR',
    ]);
    expect(await page.$$eval('[data-testid="table-customer-orders"] tbody tr', (rows) => rows.length)).toBe(customer.customerByExternalId.statistics.ordersCount);
    await page.screenshot({ path: join(screenshotDir, 'customer.png'), fullPage: true });
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('says in words that a bad key was refused', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${origin}/console/`);
    await page.fill('input[name="key"]', 'sk_nope_0123456789012345678901234567890a');
    await page.click('form.connect button[type="submit"]');
    const alert = await page.waitForSelector('[data-state="error"]');
    expect(await alert.textContent()).toBe('The API did not accept this key: Invalid API key. Paste a secret key (sk_…) of your shop.');
    await page.screenshot({ path: join(screenshotDir, 'bad-key.png') });
    await page.close();
  });

  it('tells a new shop, in words, that there is nothing to show yet', async () => {
    const fresh = await aShop({ now: NOW });
    const page = await chromium.context.newPage();
    await page.goto(`${origin}/console/`);
    await page.fill('input[name="key"]', fresh.adminKey);
    await page.click('form.connect button[type="submit"]');
    const empty = await page.waitForSelector('[data-testid="content"] [data-state="empty"]');

    expect(await empty.textContent()).toMatch(/^No orders in this range yet\./);
    expect(await page.$$('[data-chart]')).toHaveLength(0);
    await page.screenshot({ path: join(screenshotDir, 'new-shop.png') });
    await page.close();
  });

  it('loads the explorer offline and runs an example query with the shop key prefilled', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${origin}/graphql`);
    await page.waitForSelector('.graphiql-tab', { timeout: 30_000 });
    expect(await page.$$eval('.graphiql-tab-button', (tabs) => tabs.map((tab) => tab.textContent?.trim()))).toEqual([
      'RetentionReport', 'WinBackList', 'CohortsAndValue', 'Programs', 'StorefrontStatement',
    ]);
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('customerRetentionRate'), null, { timeout: 30_000 });
    // Monaco lays text out with non-breaking spaces: compare without any white space.
    const result = (await page.textContent('.result-window'))!.replace(/\s+/g, '');
    expect(result).toContain('"timeZone":"Europe/Berlin"');
    expect(result).not.toContain('UNAUTHENTICATED');
    // The docs explorer shows the schema's descriptions.
    await page.click('[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer');
    expect(await page.textContent('.graphiql-doc-explorer')).toContain('Query');
    await page.screenshot({ path: join(screenshotDir, 'explorer.png') });
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('lets a storefront page on another origin call `me` once the shop allows that origin', async () => {
    const token = await t.customerToken('c2');
    const page = `<!doctype html><html><body><pre id="out">pending</pre><script>
      fetch(${JSON.stringify(api.url)}, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ${t.publishableKey}', 'x-customer-token': '${token}' },
        body: JSON.stringify({ query: '{ me { externalId statistics { ordersCount } } }' }) })
        .then((r) => r.json()).then((body) => { out.textContent = JSON.stringify(body); }, (error) => { out.textContent = 'blocked: ' + error.message; });
    </script></body></html>`;
    storefront = await startApiGatewayServer({ port: 0, handler: async () => ({ statusCode: 404 }), documents: { '/': { contentType: 'text/html; charset=utf-8', body: page } } });
    const storefrontOrigin = new URL(storefront.url).origin;
    const tab = await chromium.context.newPage();
    const call = async () => {
      await tab.goto(`${storefrontOrigin}/`);
      await tab.waitForFunction(() => document.getElementById('out')?.textContent !== 'pending');
      return tab.textContent('#out');
    };

    expect(await call()).toMatch(/^blocked: /);

    const update = await ok(t, `mutation ($input: ShopSettingsUpdateInput!) { shopSettingsUpdate(input: $input) { shop { allowedOrigins } metricsRebuildNeeded userErrors { message } } }`, {
      input: { allowedOrigins: [storefrontOrigin] },
    });
    expect(update.shopSettingsUpdate).toEqual({ shop: { allowedOrigins: [storefrontOrigin] }, metricsRebuildNeeded: false, userErrors: [] });

    expect(JSON.parse((await call())!).data).toEqual({ me: { externalId: 'c2', statistics: { ordersCount: 3 } } });
    await tab.screenshot({ path: join(screenshotDir, 'storefront-cors.png') });
    await tab.close();
  });
});
