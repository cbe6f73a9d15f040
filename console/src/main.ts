import './styles.css';
import { ApiError, amountOf, apiUrl, gql } from './api.js';
import { bars, funnel, heatmap, periodChart } from './charts.js';
import { loadDevConnection, type DevConnection } from './dev-connection.js';
import { h, message, numbersTable, type Column } from './dom.js';
import * as fmt from './format.js';
import { defaultRange, periodKey, type Granularity } from './periods.js';
import { customerQuery, overviewQuery } from './queries.js';
import { renderCustomer } from './customer.js';

/*
 * The retention dashboard: one page per hash route (`#/` the shop, `#/customers/<id>` a customer),
 * every number from the GraphQL API with the key the user pasted. The key lives in sessionStorage
 * only, so it is gone when the tab closes; under `npm run dev` the dev server hands the demo
 * shop's key to the page instead (dev-connection.json, never deployed).
 */

const keyStorage = 'retention-console.key';
const app = document.getElementById('app')!;

interface State {
  key: string | null;
  dev: DevConnection | null;
  granularity: Granularity;
  from: string;
  to: string;
}

const state: State = { key: sessionStorage.getItem(keyStorage), dev: null, granularity: 'MONTH', ...defaultRange() };

function activeKey(): string | null {
  return state.key ?? state.dev?.secretKey ?? null;
}

/* ---------- shell ---------- */

function header(): HTMLElement {
  const keyInput = h('input', { type: 'password', name: 'key', placeholder: 'sk_…', autocomplete: 'off', 'aria-label': 'Secret API key', size: 28 });
  const connect = h(
    'form',
    {
      class: 'connect',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const key = keyInput.value.trim();
        if (!key) return;
        state.key = key;
        sessionStorage.setItem(keyStorage, key);
        void route();
      },
    },
    h('label', null, 'API key', keyInput),
    h('button', { type: 'submit' }, 'Connect'),
    activeKey() ? h('button', { type: 'button', class: 'secondary', onclick: disconnect }, 'Disconnect') : null,
  );
  return h(
    'header',
    { class: 'top' },
    h('h1', null, 'Retention console'),
    h('nav', null, h('a', { href: '#/' }, 'Overview'), h('a', { href: new URL(apiUrl, location.href).href }, 'GraphQL explorer')),
    h('span', { class: 'connection', 'data-testid': 'connection' }, connectionText()),
    connect,
  );
}

function connectionText(): string {
  if (state.key) return 'Connected with your key (kept in this tab only).';
  if (state.dev) return `Connected to the demo shop "${state.dev.shopName}" (npm run dev).`;
  return 'Not connected: paste a secret key of your shop.';
}

function disconnect(): void {
  state.key = null;
  sessionStorage.removeItem(keyStorage);
  state.dev = null;
  void route();
}

function controls(): HTMLElement {
  const granularity = h(
    'select',
    { name: 'granularity' },
    ...(['WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const).map((g) => h('option', { value: g, selected: g === state.granularity }, g.toLowerCase())),
  );
  const from = h('input', { type: 'date', name: 'from', value: state.from, required: true });
  const to = h('input', { type: 'date', name: 'to', value: state.to, required: true });
  return h(
    'form',
    {
      class: 'controls',
      onsubmit: (event: Event) => {
        event.preventDefault();
        Object.assign(state, { granularity: granularity.value as Granularity, from: from.value, to: to.value });
        void route();
      },
    },
    h('label', null, 'From', from),
    h('label', null, 'To', to),
    h('label', null, 'Granularity', granularity),
    h('button', { type: 'submit' }, 'Show'),
  );
}

function card(id: string, title: string, definitions: string, ...body: Array<Node | null>): HTMLElement {
  return h('section', { class: 'card', 'data-chart-card': id }, h('h2', null, title), h('p', { class: 'definitions', 'data-testid': `definitions-${id}` }, definitions), ...body);
}

function chartBox(id: string, tall = false): HTMLDivElement {
  return h('div', { class: tall ? 'chart tall' : 'chart', 'data-chart': id, role: 'img', 'aria-label': `${id} chart; the numbers are in the table below` });
}

function numbers(table: HTMLTableElement, open = false): HTMLElement {
  return h('details', { open }, h('summary', null, 'The numbers'), h('div', { class: 'scroll' }, table));
}

/* ---------- overview ---------- */

type Money = { amount: number | string; currencyCode: string } | null;
interface Definitions {
  granularity: string;
  lookback?: string | null;
  timeZone: string;
  revenueBasis: string | null;
  currencyCode: string | null;
  formulas?: string[];
}
interface RetentionPeriod {
  period: string;
  customersAtStart: number;
  customersAtEnd: number;
  newCustomers: number;
  retainedCustomers: number;
  reactivatedCustomers: number;
  lostCustomers: number;
  customerRetentionRate: number | null;
  churnRate: number | null;
  orders: number;
  revenue: Money;
  averageOrderValue: Money;
  repeatCustomers: number;
  repeatPurchaseRate: number | null;
  returningCustomerRate: number | null;
  returningRevenue: Money;
}
interface Retention {
  definitions: Definitions;
  periods: RetentionPeriod[];
  totals: { orders: number; customersAtEnd: number };
}
export interface ListedCustomer {
  id: string;
  externalId: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  statistics: { ordersCount: number; lastOrderAt: string | null; totalSpent: Money };
  churnRisk: { level: string; daysSinceLastOrder: number; typicalIntervalDays: number | null } | null;
  prediction: { status: string; probabilityAlive: number | null; predictedValue: Money };
}
interface Purchases {
  customers: number;
  repeatCustomers: number;
  repeatPurchaseRate: number | null;
  orders: number;
  revenue: Money;
  averageOrderValue: Money;
}
interface Overview {
  shop: { name: string; currencyCode: string; timeZone: string; revenueBasis: string };
  previousPeriod: Retention;
  allPrior: Retention;
  cohortReport: {
    definitions: Definitions;
    cohorts: Array<{ cohort: string; size: number; cells: Array<{ offset: number; period: string; activeCustomers: number; retention: number | null; cumulativeRevenuePerCustomer: Money }> }>;
  };
  lifetimeValueReport: {
    definitions: Definitions;
    customers: number;
    averageHistoricValue: Money;
    averageOrderValue: Money;
    purchaseFrequency: number | null;
    meanChurnRate: number | null;
    expectedLifespan: number | null;
    projectedValue: Money;
  };
  predictionModel: {
    status: string;
    reason: string | null;
    fittedAt: string | null;
    timeUnit: string | null;
    customers: number;
    repeatCustomers: number;
    logLikelihood: number | null;
    parameters: Record<'r' | 'alpha' | 'a' | 'b' | 'p' | 'q' | 'gamma', number> | null;
  };
  topPredicted: { nodes: ListedCustomer[] };
  atRisk: { nodes: ListedCustomer[] };
  segmentCounts: Array<{ computedAt: string; customers: number; groups: Array<{ group: string; customers: number }> }>;
  loyaltyReport: {
    definitions: Definitions;
    periods: Array<{
      period: string;
      pointsIssued: number;
      pointsRedeemed: number;
      pointsExpired: number;
      pointsReversed: number;
      outstandingPoints: number;
      members: number;
      newMembers: number;
      memberPurchases: Purchases;
      nonMemberPurchases: Purchases;
    }>;
  };
  referralReport: {
    definitions: Definitions;
    periods: Array<{ period: string; referralsStarted: number; referralsCompleted: number; referralsRejected: number; completionRate: number | null; referredRevenue: Money }>;
  };
  feedbackReport: {
    definitions: Definitions;
    periods: Array<{
      period: string;
      responses: number;
      invitations: number;
      responseRate: number | null;
      nps: { score: number | null; promoters: number; passives: number; detractors: number; responses: number };
      csat: { score: number | null; satisfied: number; responses: number };
      ces: { mean: number | null; responses: number };
    }>;
  };
}

/** The definitions line every chart carries, in the API's own words. */
export function describe(d: Definitions, extra: string[] = []): string {
  const parts = [`granularity ${d.granularity}`, `time zone ${d.timeZone}`];
  if (d.revenueBasis) parts.push(`revenue basis ${d.revenueBasis}`);
  if (d.currencyCode) parts.push(`currency ${d.currencyCode}`);
  if (d.lookback) parts.push(`lookback ${d.lookback}`);
  return [...parts, ...extra].join(' · ');
}

function monthStart(offset: number): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth() + offset, 1);
}

async function renderOverview(main: HTMLElement, key: string): Promise<void> {
  const from = periodKey(state.from, state.granularity);
  const to = periodKey(state.to, state.granularity);
  const data = await gql<Overview>(key, overviewQuery, {
    granularity: state.granularity,
    from,
    to,
    segmentsFrom: monthStart(-1).toISOString(),
    segmentsTo: new Date().toISOString(),
  });
  main.replaceChildren();
  const currency = data.shop.currencyCode;
  const moneyFmt = (minor: number): string => fmt.money(minor, currency);
  const majorFmt = (major: number): string => new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 0 }).format(major);
  const major = (m: Money): number | null => {
    const minor = amountOf(m as never);
    return minor == null ? null : fmt.minorToMajor(minor, currency);
  };

  main.append(h('p', { class: 'definitions', 'data-testid': 'shop' }, `${data.shop.name}: ${from} to ${to}, by ${state.granularity.toLowerCase()}. Shop settings: time zone ${data.shop.timeZone}, revenue basis ${data.shop.revenueBasis}, ${currency}.`));
  if (data.previousPeriod.totals.orders === 0 && data.allPrior.totals.customersAtEnd === 0) {
    main.append(message('empty', 'No orders in this range yet. A new shop fills these charts as orders arrive (orderRecord, or an import); try a wider range if the shop has older orders.'));
    return;
  }

  const grid = h('div', { class: 'grid' });
  main.append(grid);
  const prev = data.previousPeriod;
  const all = data.allPrior;
  const periods = prev.periods.map((p) => p.period);
  const byPeriod = new Map(all.periods.map((p) => [p.period, p]));

  // Retention and churn, both lookbacks.
  {
    const chart = chartBox('retention');
    grid.append(
      card(
        'retention',
        'Retention and churn rate',
        `${describe({ ...prev.definitions, lookback: null })} · lookbacks ${prev.definitions.lookback} and ${all.definitions.lookback}`,
        chart,
        numbers(
          numbersTable<RetentionPeriod>(
            'retention',
            [
              { key: 'period', label: 'Period', value: (p) => p.period },
              { key: 'customerRetentionRate', label: 'Retention (previous period)', value: (p) => p.customerRetentionRate, format: fmt.percent },
              { key: 'churnRate', label: 'Churn (previous period)', value: (p) => p.churnRate, format: fmt.percent },
              { key: 'allPrior.customerRetentionRate', label: 'Retention (all prior)', value: (p) => byPeriod.get(p.period)?.customerRetentionRate, format: fmt.percent },
              { key: 'allPrior.churnRate', label: 'Churn (all prior)', value: (p) => byPeriod.get(p.period)?.churnRate, format: fmt.percent },
            ],
            prev.periods,
          ),
        ),
      ),
    );
    periodChart(chart, {
      categories: periods,
      format: fmt.percent,
      series: [
        { name: 'Retention, previous period', type: 'line', values: prev.periods.map((p) => p.customerRetentionRate) },
        { name: 'Churn, previous period', type: 'line', values: prev.periods.map((p) => p.churnRate) },
        { name: 'Retention, all prior', type: 'line', values: all.periods.map((p) => p.customerRetentionRate) },
        { name: 'Churn, all prior', type: 'line', values: all.periods.map((p) => p.churnRate) },
      ],
    });
  }

  // New vs returning customers.
  {
    const chart = chartBox('customers');
    grid.append(
      card(
        'customers',
        'New and returning customers',
        `${describe(prev.definitions)} · returning = active − new`,
        chart,
        numbers(
          numbersTable<RetentionPeriod>(
            'customers',
            [
              { key: 'period', label: 'Period', value: (p) => p.period },
              { key: 'newCustomers', label: 'New', value: (p) => p.newCustomers, format: fmt.count },
              { key: 'returningCustomers', label: 'Returning', value: (p) => p.customersAtEnd - p.newCustomers, format: fmt.count },
              { key: 'customersAtEnd', label: 'Active', value: (p) => p.customersAtEnd, format: fmt.count },
              { key: 'lostCustomers', label: 'Lost', value: (p) => p.lostCustomers, format: fmt.count },
            ],
            prev.periods,
          ),
        ),
      ),
    );
    periodChart(chart, {
      categories: periods,
      format: fmt.count,
      series: [
        { name: 'New', type: 'bar', stack: 'active', values: prev.periods.map((p) => p.newCustomers) },
        { name: 'Returning', type: 'bar', stack: 'active', values: prev.periods.map((p) => p.customersAtEnd - p.newCustomers) },
      ],
    });
  }

  // Repeat purchase rate.
  {
    const chart = chartBox('repeat');
    grid.append(
      card(
        'repeat',
        'Repeat purchase rate',
        describe(prev.definitions),
        chart,
        numbers(
          numbersTable<RetentionPeriod>(
            'repeat',
            [
              { key: 'period', label: 'Period', value: (p) => p.period },
              { key: 'repeatPurchaseRate', label: 'Repeat purchase rate', value: (p) => p.repeatPurchaseRate, format: fmt.percent },
              { key: 'returningCustomerRate', label: 'Returning customer rate', value: (p) => p.returningCustomerRate, format: fmt.percent },
              { key: 'repeatCustomers', label: 'Repeat customers', value: (p) => p.repeatCustomers, format: fmt.count },
            ],
            prev.periods,
          ),
        ),
      ),
    );
    periodChart(chart, {
      categories: periods,
      format: fmt.percent,
      series: [
        { name: 'Repeat purchase rate', type: 'line', values: prev.periods.map((p) => p.repeatPurchaseRate) },
        { name: 'Returning customer rate', type: 'line', values: prev.periods.map((p) => p.returningCustomerRate) },
      ],
    });
  }

  // Revenue and AOV.
  {
    const chart = chartBox('revenue');
    grid.append(
      card(
        'revenue',
        'Revenue and average order value',
        describe(prev.definitions),
        chart,
        numbers(
          numbersTable<RetentionPeriod>(
            'revenue',
            [
              { key: 'period', label: 'Period', value: (p) => p.period },
              { key: 'revenue', label: 'Revenue', value: (p) => amountOf(p.revenue as never), format: moneyFmt },
              { key: 'returningRevenue', label: 'From returning customers', value: (p) => amountOf(p.returningRevenue as never), format: moneyFmt },
              { key: 'orders', label: 'Orders', value: (p) => p.orders, format: fmt.count },
              { key: 'averageOrderValue', label: 'AOV', value: (p) => amountOf(p.averageOrderValue as never), format: moneyFmt },
            ],
            prev.periods,
          ),
        ),
      ),
    );
    periodChart(chart, {
      categories: periods,
      format: majorFmt,
      rightFormat: majorFmt,
      series: [
        { name: 'Revenue', type: 'bar', values: prev.periods.map((p) => major(p.revenue)) },
        { name: 'From returning customers', type: 'bar', values: prev.periods.map((p) => major(p.returningRevenue)) },
        { name: 'AOV (right axis)', type: 'line', axis: 1, values: prev.periods.map((p) => major(p.averageOrderValue)) },
      ],
    });
  }

  renderCohorts(grid, data, moneyFmt, major, majorFmt);
  renderValue(grid, data, moneyFmt);
  renderSegments(grid, data, moneyFmt);
  renderPrograms(grid, data, moneyFmt);
}

function renderCohorts(grid: HTMLElement, data: Overview, moneyFmt: (minor: number) => string, major: (m: Money) => number | null, majorFmt: (v: number) => string): void {
  const { cohorts, definitions } = data.cohortReport;
  const offsets = Math.max(0, ...cohorts.map((c) => c.cells.length));
  const xLabels = Array.from({ length: offsets }, (_, i) => `+${i}`);
  const yLabels = cohorts.map((c) => `${c.cohort} (${c.size})`);
  const retentionChart = chartBox('cohort-retention', true);
  const revenueChart = chartBox('cohort-revenue', true);
  type Row = Overview['cohortReport']['cohorts'][number];
  const table = (id: string, value: (cell: Row['cells'][number] | undefined) => number | null, format: (v: never) => string) =>
    numbersTable<Row>(
      id,
      [
        { key: 'cohort', label: 'Cohort', value: (c) => c.cohort },
        { key: 'size', label: 'Size', value: (c) => c.size, format: fmt.count },
        ...xLabels.map((label, offset): Column<Row> => ({ key: `offset${offset}`, label, value: (c) => value(c.cells.find((cell) => cell.offset === offset)), format })),
      ],
      cohorts,
    );
  const empty = cohorts.length === 0 ? message('empty', 'No cohorts in this range: no customer had a first order in it.') : null;
  const retention = card('cohort-retention', 'Cohorts: retention %', `${describe(definitions)} · share of the cohort active in each later period`, empty, retentionChart, numbers(table('cohort-retention', (cell) => cell?.retention ?? null, fmt.percent)));
  const revenue = card('cohort-revenue', 'Cohorts: cumulative revenue per customer', describe(definitions), revenueChart, numbers(table('cohort-revenue', (cell) => amountOf(cell?.cumulativeRevenuePerCustomer as never), moneyFmt)));
  retention.classList.add('wide');
  revenue.classList.add('wide');
  grid.append(retention, revenue);
  const cells = (value: (cell: Row['cells'][number]) => number | null) =>
    cohorts.flatMap((c, y) => c.cells.map((cell): [number, number, number | null] => [cell.offset, y, value(cell)]));
  heatmap(retentionChart, { xLabels, yLabels, cells: cells((cell) => cell.retention), format: fmt.percent, label: 'retention' });
  heatmap(revenueChart, { xLabels, yLabels, cells: cells((cell) => major(cell.cumulativeRevenuePerCustomer)), format: majorFmt, label: 'cumulative revenue per customer' });
}

function renderValue(grid: HTMLElement, data: Overview, moneyFmt: (minor: number) => string): void {
  const ltv = data.lifetimeValueReport;
  const model = data.predictionModel;
  const predicted = data.topPredicted.nodes;
  const chart = chartBox('lifetime-value');
  const figures = h(
    'div',
    { class: 'figures', 'data-testid': 'table-lifetime-value' },
    ...(
      [
        ['averageHistoricValue', 'Historic value per customer', amountOf(ltv.averageHistoricValue as never), moneyFmt],
        ['projectedValue', 'Projected value (AOV × frequency × lifespan)', amountOf(ltv.projectedValue as never), moneyFmt],
        ['averageOrderValue', 'Average order value', amountOf(ltv.averageOrderValue as never), moneyFmt],
        ['purchaseFrequency', 'Orders per customer per period', ltv.purchaseFrequency, (v: number) => fmt.decimal(v)],
        ['expectedLifespan', 'Expected lifespan (periods)', ltv.expectedLifespan, (v: number) => fmt.decimal(v, 1)],
        ['customers', 'Customers', ltv.customers, fmt.count],
      ] as const
    ).map(([field, label, value, format]) => h('div', { class: 'figure', 'data-field': field, 'data-value': value == null ? '' : String(value) }, h('b', null, value == null ? '–' : format(value)), h('span', null, label))),
  );
  const modelFacts =
    model.status === 'OK' && model.parameters
      ? h(
          'dl',
          { class: 'facts', 'data-testid': 'prediction-model' },
          h('dt', null, 'Model'),
          h('dd', null, `BG/NBD + Gamma-Gamma, fitted ${fmt.dateTime(model.fittedAt)} on ${fmt.count(model.customers)} customers (${fmt.count(model.repeatCustomers)} repeat), time unit ${model.timeUnit ?? '–'}`),
          h('dt', null, 'Parameters'),
          h('dd', { 'data-field': 'parameters' }, Object.entries(model.parameters).map(([name, value]) => `${name} = ${value.toPrecision(4)}`).join(', ')),
        )
      : message('empty', `Predictions: ${model.status === 'NOT_FITTED' ? 'no fit has run yet for this shop (it runs daily).' : (model.reason ?? model.status)}`);
  grid.append(
    card(
      'lifetime-value',
      'Lifetime value: historic, projected and predicted',
      `${describe(ltv.definitions)} · predicted = the model's expected 365-day value, undiscounted`,
      figures,
      chart,
      modelFacts,
      numbers(
        numbersTable<ListedCustomer>(
          'predicted-value',
          [
            { key: 'customer', label: 'Customer (highest predicted value)', value: (c) => customerName(c), href: (c) => `#/customers/${encodeURIComponent(c.id)}` },
            { key: 'predictedValue', label: 'Predicted 365-day value', value: (c) => amountOf(c.prediction.predictedValue as never), format: moneyFmt },
            { key: 'totalSpent', label: 'Spent so far', value: (c) => amountOf(c.statistics.totalSpent as never), format: moneyFmt },
            { key: 'probabilityAlive', label: 'P(active)', value: (c) => c.prediction.probabilityAlive, format: (v: number) => fmt.percent(v * 100) },
          ],
          predicted,
        ),
      ),
    ),
  );
  const names = predicted.map(customerName);
  bars(chart, {
    categories: names,
    format: moneyFmt,
    horizontal: true,
    series: [
      { name: 'Spent so far', values: predicted.map((c) => amountOf(c.statistics.totalSpent as never) ?? 0) },
      { name: 'Predicted next 365 days', values: predicted.map((c) => amountOf(c.prediction.predictedValue as never) ?? 0) },
    ],
  });
}

export function customerName(c: { firstName: string | null; lastName: string | null; externalId: string | null; email: string | null; id: string }): string {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return name || c.email || c.externalId || c.id;
}

function renderSegments(grid: HTMLElement, data: Overview, moneyFmt: (minor: number) => string): void {
  const runs = data.segmentCounts;
  const thisMonth = monthStart(0).getTime();
  const latest = runs.at(-1);
  const lastMonth = [...runs].reverse().find((run) => Date.parse(run.computedAt) < thisMonth);
  const current = latest && Date.parse(latest.computedAt) >= thisMonth ? latest : undefined;
  const groups = [...new Set([...(current?.groups ?? []), ...(lastMonth?.groups ?? [])].map((g) => g.group))];
  const countIn = (run: typeof latest, group: string): number | null => (run ? (run.groups.find((g) => g.group === group)?.customers ?? 0) : null);
  const chart = chartBox('segments');
  const definitions = `latest run this month ${current ? fmt.dateTime(current.computedAt) : '– (none yet)'} · last run of last month ${lastMonth ? fmt.dateTime(lastMonth.computedAt) : '– (none)'}`;
  grid.append(
    card(
      'segments',
      'RFM segments: this month vs last',
      definitions,
      groups.length === 0 ? message('empty', 'No segmentation run yet: the daily job groups customers once they have orders.') : null,
      chart,
      numbers(
        numbersTable<string>(
          'segments',
          [
            { key: 'group', label: 'Segment', value: (g) => g },
            { key: 'thisMonth', label: 'This month', value: (g) => countIn(current, g), format: fmt.count },
            { key: 'lastMonth', label: 'Last month', value: (g) => countIn(lastMonth, g), format: fmt.count },
            { key: 'movement', label: 'Movement', value: (g) => (current && lastMonth ? countIn(current, g)! - countIn(lastMonth, g)! : null), format: (v: number) => (v > 0 ? `+${v}` : String(v)) },
          ],
          groups,
        ),
      ),
    ),
  );
  bars(chart, {
    categories: groups,
    format: fmt.count,
    series: [
      { name: 'Last month', values: groups.map((g) => countIn(lastMonth, g) ?? 0) },
      { name: 'This month', values: groups.map((g) => countIn(current, g) ?? 0) },
    ],
  });

  const atRisk = data.atRisk.nodes;
  const riskCard = card(
    'at-risk',
    'At-risk customers (segment AT_RISK)',
    'from the latest segmentation run · predicted value over 365 days · churn risk from days since the last order against the usual interval',
    atRisk.length === 0
      ? message('empty', 'No customer is in the AT_RISK segment right now.')
      : h(
          'div',
          { class: 'scroll' },
          numbersTable<ListedCustomer>(
            'at-risk',
            [
              { key: 'customer', label: 'Customer', value: (c) => customerName(c), href: (c) => `#/customers/${encodeURIComponent(c.id)}` },
              { key: 'ordersCount', label: 'Orders', value: (c) => c.statistics.ordersCount, format: fmt.count },
              { key: 'lastOrderAt', label: 'Last order', value: (c) => c.statistics.lastOrderAt, format: fmt.date },
              { key: 'totalSpent', label: 'Spent', value: (c) => amountOf(c.statistics.totalSpent as never), format: moneyFmt },
              { key: 'predictedValue', label: 'Predicted value', value: (c) => amountOf(c.prediction.predictedValue as never), format: moneyFmt },
              { key: 'probabilityAlive', label: 'P(active)', value: (c) => c.prediction.probabilityAlive, format: (v: number) => fmt.percent(v * 100) },
              { key: 'churnRisk', label: 'Churn risk', value: (c) => c.churnRisk?.level },
              { key: 'daysSinceLastOrder', label: 'Days since last order', value: (c) => c.churnRisk?.daysSinceLastOrder, format: fmt.count },
            ],
            atRisk,
          ),
        ),
  );
  grid.append(riskCard);
}

function renderPrograms(grid: HTMLElement, data: Overview, moneyFmt: (minor: number) => string): void {
  const loyalty = data.loyaltyReport;
  type LoyaltyRow = Overview['loyaltyReport']['periods'][number];
  const pointsChart = chartBox('loyalty-points');
  const membersChart = chartBox('loyalty-members');
  const loyaltyDefs = `${describe(loyalty.definitions)} · points counted in the period of their ledger entry; liability = outstanding points at the period's end`;
  grid.append(
    card(
      'loyalty-points',
      'Loyalty points and outstanding liability',
      loyaltyDefs,
      pointsChart,
      numbers(
        numbersTable<LoyaltyRow>(
          'loyalty-points',
          [
            { key: 'period', label: 'Period', value: (p) => p.period },
            { key: 'pointsIssued', label: 'Issued', value: (p) => p.pointsIssued, format: fmt.count },
            { key: 'pointsRedeemed', label: 'Redeemed', value: (p) => p.pointsRedeemed, format: fmt.count },
            { key: 'pointsExpired', label: 'Expired', value: (p) => p.pointsExpired, format: fmt.count },
            { key: 'outstandingPoints', label: 'Outstanding', value: (p) => p.outstandingPoints, format: fmt.count },
          ],
          loyalty.periods,
        ),
      ),
    ),
    card(
      'loyalty-members',
      'Members and non-members',
      `${describe(loyalty.definitions)} · groups cut by membership at the end of each period`,
      membersChart,
      numbers(
        numbersTable<LoyaltyRow>(
          'loyalty-members',
          [
            { key: 'period', label: 'Period', value: (p) => p.period },
            { key: 'members', label: 'Members', value: (p) => p.members, format: fmt.count },
            { key: 'memberPurchases.revenue', label: 'Member revenue', value: (p) => amountOf(p.memberPurchases.revenue as never), format: moneyFmt },
            { key: 'nonMemberPurchases.revenue', label: 'Non-member revenue', value: (p) => amountOf(p.nonMemberPurchases.revenue as never), format: moneyFmt },
            { key: 'memberPurchases.averageOrderValue', label: 'Member AOV', value: (p) => amountOf(p.memberPurchases.averageOrderValue as never), format: moneyFmt },
            { key: 'nonMemberPurchases.averageOrderValue', label: 'Non-member AOV', value: (p) => amountOf(p.nonMemberPurchases.averageOrderValue as never), format: moneyFmt },
          ],
          loyalty.periods,
        ),
      ),
    ),
  );
  const loyaltyPeriods = loyalty.periods.map((p) => p.period);
  periodChart(pointsChart, {
    categories: loyaltyPeriods,
    format: fmt.count,
    rightFormat: fmt.count,
    series: [
      { name: 'Issued', type: 'bar', values: loyalty.periods.map((p) => p.pointsIssued) },
      { name: 'Redeemed', type: 'bar', values: loyalty.periods.map((p) => p.pointsRedeemed) },
      { name: 'Expired', type: 'bar', values: loyalty.periods.map((p) => p.pointsExpired) },
      { name: 'Outstanding (right axis)', type: 'line', axis: 1, values: loyalty.periods.map((p) => p.outstandingPoints) },
    ],
  });
  periodChart(membersChart, {
    categories: loyaltyPeriods,
    format: moneyFmt,
    series: [
      { name: 'Member revenue', type: 'bar', values: loyalty.periods.map((p) => amountOf(p.memberPurchases.revenue as never)) },
      { name: 'Non-member revenue', type: 'bar', values: loyalty.periods.map((p) => amountOf(p.nonMemberPurchases.revenue as never)) },
    ],
  });

  const referrals = data.referralReport;
  const totals = referrals.periods.reduce(
    (sum, p) => ({ started: sum.started + p.referralsStarted, completed: sum.completed + p.referralsCompleted, rejected: sum.rejected + p.referralsRejected }),
    { started: 0, completed: 0, rejected: 0 },
  );
  const funnelChart = chartBox('referrals');
  type ReferralRow = Overview['referralReport']['periods'][number];
  grid.append(
    card(
      'referrals',
      'Referrals funnel',
      `${describe(referrals.definitions)} · counted in the period of the referee's first order; the funnel sums the range`,
      totals.started === 0 ? message('empty', 'No referrals in this range.') : null,
      funnelChart,
      numbers(
        numbersTable<ReferralRow>(
          'referrals',
          [
            { key: 'period', label: 'Period', value: (p) => p.period },
            { key: 'referralsStarted', label: 'Started', value: (p) => p.referralsStarted, format: fmt.count },
            { key: 'referralsCompleted', label: 'Completed', value: (p) => p.referralsCompleted, format: fmt.count },
            { key: 'referralsRejected', label: 'Rejected', value: (p) => p.referralsRejected, format: fmt.count },
            { key: 'completionRate', label: 'Completion rate', value: (p) => p.completionRate, format: fmt.percent },
            { key: 'referredRevenue', label: 'Referred revenue', value: (p) => amountOf(p.referredRevenue as never), format: moneyFmt },
          ],
          referrals.periods,
        ),
      ),
    ),
  );
  funnel(
    funnelChart,
    [
      { name: 'Started', value: totals.started },
      { name: 'Not rejected', value: totals.started - totals.rejected },
      { name: 'Completed', value: totals.completed },
    ],
    fmt.count,
  );

  const feedback = data.feedbackReport;
  type FeedbackRow = Overview['feedbackReport']['periods'][number];
  const feedbackChart = chartBox('feedback');
  grid.append(
    card(
      'feedback',
      'NPS, CSAT and CES',
      `${describe(feedback.definitions)} · counted in the period a response was first submitted; NPS −100..100, CSAT %, CES mean (right axis)`,
      feedback.periods.every((p) => p.responses === 0) ? message('empty', 'No survey responses in this range.') : null,
      feedbackChart,
      numbers(
        numbersTable<FeedbackRow>(
          'feedback',
          [
            { key: 'period', label: 'Period', value: (p) => p.period },
            { key: 'nps.score', label: 'NPS', value: (p) => p.nps.score, format: (v: number) => fmt.decimal(v, 1) },
            { key: 'nps.promoters', label: 'Promoters', value: (p) => p.nps.promoters, format: fmt.count },
            { key: 'nps.passives', label: 'Passives', value: (p) => p.nps.passives, format: fmt.count },
            { key: 'nps.detractors', label: 'Detractors', value: (p) => p.nps.detractors, format: fmt.count },
            { key: 'csat.score', label: 'CSAT', value: (p) => p.csat.score, format: fmt.percent },
            { key: 'csat.responses', label: 'CSAT answers', value: (p) => p.csat.responses, format: fmt.count },
            { key: 'ces.mean', label: 'CES', value: (p) => p.ces.mean, format: (v: number) => fmt.decimal(v) },
            { key: 'ces.responses', label: 'CES answers', value: (p) => p.ces.responses, format: fmt.count },
            { key: 'responses', label: 'Responses', value: (p) => p.responses, format: fmt.count },
          ],
          feedback.periods,
        ),
      ),
    ),
  );
  periodChart(feedbackChart, {
    categories: feedback.periods.map((p) => p.period),
    format: (v) => fmt.decimal(v, 1),
    rightFormat: (v) => fmt.decimal(v, 2),
    series: [
      { name: 'NPS', type: 'line', values: feedback.periods.map((p) => p.nps.score) },
      { name: 'CSAT %', type: 'line', values: feedback.periods.map((p) => p.csat.score) },
      { name: 'CES (right axis)', type: 'line', axis: 1, values: feedback.periods.map((p) => p.ces.mean) },
    ],
  });
}

/* ---------- routing ---------- */

let generation = 0;

async function route(): Promise<void> {
  const mine = ++generation;
  const key = activeKey();
  const main = h('main', null);
  app.replaceChildren(header(), main);
  if (!key) {
    main.append(message('empty', 'Paste a secret API key (sk_…) of your shop above to see its retention story. The key stays in this browser tab only.'));
    return;
  }
  const customerId = /^#\/customers\/(.+)$/.exec(location.hash)?.[1];
  main.append(customerId ? h('p', null, h('a', { href: '#/' }, '← Overview')) : controls(), message('loading', 'Loading the reports…'));
  const content = h('div', { 'data-testid': 'content' });
  main.append(content);
  try {
    if (customerId) await renderCustomer(content, key, decodeURIComponent(customerId), customerQuery);
    else await renderOverview(content, key);
    if (mine === generation) main.querySelector('[data-state="loading"]')?.remove();
  } catch (error) {
    if (mine !== generation) return;
    main.querySelector('[data-state="loading"]')?.remove();
    content.replaceChildren(message('error', error instanceof ApiError ? error.message : `Something went wrong: ${String(error)}`));
  }
}

window.addEventListener('hashchange', () => void route());
state.dev = await loadDevConnection(document.body.dataset.devConnection ?? './dev-connection.json');
void route();
