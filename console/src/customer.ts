import { amountOf, gql } from './api.js';
import { h, message, numbersTable } from './dom.js';
import * as fmt from './format.js';

type Money = { amount: number | string; currencyCode: string } | null;
interface CustomerPage {
  shop: { currencyCode: string; timeZone: string };
  customer: {
    id: string;
    externalId: string | null;
    email: string | null;
    firstName: string | null;
    lastName: string | null;
    createdAt: string;
    tags: string[];
    erasedAt: string | null;
    latestNpsCategory: string | null;
    statistics: { ordersCount: number; totalSpent: Money; averageOrderValue: Money; firstOrderAt: string | null; lastOrderAt: string | null; averageDaysBetweenOrders: number | null };
    orders: { nodes: Array<{ orderId: string; placedAt: string; status: string; total: Money; refunded: Money; netTotal: Money; referralCode: string | null }> };
    loyalty: {
      pointsName: string;
      joined: boolean;
      joinedAt: string | null;
      balance: { available: number; pending: number; lifetimeEarned: number; lifetimeSpent: number; shortfall: number };
      tier: { currentTier: { name: string } | null; nextTier: { name: string } | null; progressValue: number; amountToNextTier: number | null } | null;
      pointsExpiringSoon: Array<{ date: string; points: number }>;
      entries: { nodes: Array<{ at: string; type: string; points: number; reason: string; sourceType: string; expiresAt: string | null }> };
    } | null;
    referral: { code: string; url: string; visits: number; rewardsEarned: number; referralsByStatus: Array<{ status: string; count: number }> } | null;
    rfm: { recency: number; frequency: number; monetary: number; group: string; computedAt: string } | null;
    churnRisk: { level: string; daysSinceLastOrder: number; typicalIntervalDays: number | null; expectedNextOrderAt: string | null } | null;
    prediction: {
      status: string;
      reason: string | null;
      probabilityAlive: number | null;
      expectedPurchases: number | null;
      expectedAverageOrderValue: Money;
      predictedValue: Money;
      expectedNextOrderAt: string | null;
      computedAt: string | null;
      frequency: number | null;
      recencyWeeks: number | null;
      ageWeeks: number | null;
    };
  } | null;
}

function facts(testid: string, rows: Array<[string, string, string | number | null | undefined, string]>): HTMLElement {
  return h(
    'dl',
    { class: 'facts', 'data-testid': testid },
    ...rows.flatMap(([field, label, raw, text]) => [h('dt', null, label), h('dd', { 'data-field': field, 'data-value': raw == null ? '' : String(raw) }, text)]),
  );
}

function section(id: string, title: string, note: string | null, ...body: Array<Node | null>): HTMLElement {
  return h('section', { class: 'card', 'data-section': id }, h('h2', null, title), note ? h('p', { class: 'definitions' }, note) : null, ...body);
}

/** The customer page: statistics, orders, loyalty statement and ledger, referral, feedback, prediction. */
export async function renderCustomer(main: HTMLElement, key: string, id: string, query: string): Promise<void> {
  const { shop, customer: c } = await gql<CustomerPage>(key, query, { id });
  main.replaceChildren();
  if (!c) {
    main.append(message('empty', `No customer with id ${id} in this shop.`));
    return;
  }
  const currency = shop.currencyCode;
  const money = (m: Money): string => fmt.money(amountOf(m as never), m?.currencyCode ?? currency);
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.externalId || c.id;
  main.append(h('h2', { 'data-testid': 'customer-name' }, name), h('p', { class: 'definitions' }, `${c.email ?? ''} · shop id ${c.externalId ?? '–'} · customer since ${fmt.date(c.createdAt)}${c.tags.length ? ` · tags ${c.tags.join(', ')}` : ''}${c.erasedAt ? ` · erased ${fmt.date(c.erasedAt)}` : ''}`));
  const grid = h('div', { class: 'grid' });
  main.append(grid);
  const s = c.statistics;
  grid.append(
    section(
      'statistics',
      'Statistics',
      `counted orders are those not cancelled; amounts net of refunds · time zone ${shop.timeZone}`,
      facts('customer-statistics', [
        ['ordersCount', 'Orders', s.ordersCount, fmt.count(s.ordersCount)],
        ['totalSpent', 'Total spent', amountOf(s.totalSpent as never), money(s.totalSpent)],
        ['averageOrderValue', 'Average order value', amountOf(s.averageOrderValue as never), money(s.averageOrderValue)],
        ['firstOrderAt', 'First order', s.firstOrderAt, fmt.date(s.firstOrderAt)],
        ['lastOrderAt', 'Last order', s.lastOrderAt, fmt.date(s.lastOrderAt)],
        ['averageDaysBetweenOrders', 'Days between orders', s.averageDaysBetweenOrders, fmt.decimal(s.averageDaysBetweenOrders, 1)],
        ['rfm', 'RFM', c.rfm?.group, c.rfm ? `${c.rfm.group} (R${c.rfm.recency} F${c.rfm.frequency} M${c.rfm.monetary}, ${fmt.date(c.rfm.computedAt)})` : '– (no segmentation run yet)'],
        ['churnRisk', 'Churn risk', c.churnRisk?.level, c.churnRisk ? `${c.churnRisk.level}: ${c.churnRisk.daysSinceLastOrder} days since the last order, usually ${fmt.decimal(c.churnRisk.typicalIntervalDays, 0)}` : '–'],
        ['latestNpsCategory', 'Latest NPS answer', c.latestNpsCategory, c.latestNpsCategory ?? '– (no NPS answer)'],
      ]),
    ),
  );
  const p = c.prediction;
  grid.append(
    section(
      'prediction',
      'Prediction',
      'BG/NBD + Gamma-Gamma, as of the model\'s last fit; value over 365 days, undiscounted',
      p.status === 'OK'
        ? facts('customer-prediction', [
            ['probabilityAlive', 'Probability still active', p.probabilityAlive, fmt.percent(p.probabilityAlive == null ? null : p.probabilityAlive * 100)],
            ['expectedPurchases', 'Expected purchases (365 days)', p.expectedPurchases, fmt.decimal(p.expectedPurchases)],
            ['expectedAverageOrderValue', 'Expected order value', amountOf(p.expectedAverageOrderValue as never), money(p.expectedAverageOrderValue)],
            ['predictedValue', 'Predicted value (365 days)', amountOf(p.predictedValue as never), money(p.predictedValue)],
            ['expectedNextOrderAt', 'Expected next order', p.expectedNextOrderAt, fmt.date(p.expectedNextOrderAt)],
            ['computedAt', 'Fitted', p.computedAt, fmt.dateTime(p.computedAt)],
          ])
        : message('empty', `No prediction: ${p.reason ?? p.status}`),
    ),
  );
  grid.append(
    section(
      'orders',
      `Orders (${c.orders.nodes.length}${c.orders.nodes.length === 50 ? '+' : ''})`,
      null,
      c.orders.nodes.length === 0
        ? message('empty', 'No orders yet.')
        : h(
            'div',
            { class: 'scroll' },
            numbersTable(
              'customer-orders',
              [
                { key: 'orderId', label: 'Order', value: (o) => o.orderId },
                { key: 'placedAt', label: 'Placed', value: (o) => o.placedAt, format: fmt.date },
                { key: 'status', label: 'Status', value: (o) => o.status },
                { key: 'total', label: 'Total', value: (o) => amountOf(o.total as never), format: (v: number) => fmt.money(v, currency) },
                { key: 'refunded', label: 'Refunded', value: (o) => amountOf(o.refunded as never), format: (v: number) => fmt.money(v, currency) },
                { key: 'referralCode', label: 'Referral code', value: (o) => o.referralCode },
              ],
              c.orders.nodes,
            ),
          ),
    ),
  );
  const l = c.loyalty;
  grid.append(
    section(
      'loyalty',
      'Loyalty statement and ledger',
      l ? `in ${l.pointsName}; newest entries first` : null,
      !l
        ? message('empty', 'The shop has no loyalty program.')
        : h(
            'div',
            null,
            facts('customer-loyalty', [
              ['joined', 'Member', String(l.joined), l.joined ? `since ${fmt.date(l.joinedAt)}` : 'not joined'],
              ['available', 'Available', l.balance.available, fmt.count(l.balance.available)],
              ['pending', 'Pending', l.balance.pending, fmt.count(l.balance.pending)],
              ['lifetimeEarned', 'Earned (lifetime)', l.balance.lifetimeEarned, fmt.count(l.balance.lifetimeEarned)],
              ['lifetimeSpent', 'Spent (lifetime)', l.balance.lifetimeSpent, fmt.count(l.balance.lifetimeSpent)],
              ['tier', 'Tier', l.tier?.currentTier?.name, l.tier ? `${l.tier.currentTier?.name ?? 'none'}${l.tier.nextTier ? `, ${fmt.count(l.tier.amountToNextTier)} to ${l.tier.nextTier.name}` : ''}` : '–'],
              ['expiring', 'Expiring in 30 days', l.pointsExpiringSoon.reduce((sum, e) => sum + e.points, 0), l.pointsExpiringSoon.map((e) => `${fmt.count(e.points)} on ${e.date}`).join(', ') || 'none'],
            ]),
            h(
              'div',
              { class: 'scroll' },
              numbersTable(
                'customer-ledger',
                [
                  { key: 'at', label: 'When', value: (e) => e.at, format: fmt.date },
                  { key: 'type', label: 'Type', value: (e) => e.type },
                  { key: 'points', label: 'Points', value: (e) => e.points, format: fmt.count },
                  { key: 'reason', label: 'Reason', value: (e) => e.reason },
                ],
                l.entries.nodes,
              ),
            ),
          ),
    ),
  );
  const r = c.referral;
  grid.append(
    section(
      'referral',
      'Referral',
      null,
      !r
        ? message('empty', 'The shop has no referral program.')
        : facts('customer-referral', [
            ['code', 'Code', r.code, r.code],
            ['visits', 'Link visits', r.visits, fmt.count(r.visits)],
            ['rewardsEarned', 'Points earned by referring', r.rewardsEarned, fmt.count(r.rewardsEarned)],
            ['referrals', 'Referrals', r.referralsByStatus.reduce((sum, x) => sum + x.count, 0), r.referralsByStatus.map((x) => `${x.status.toLowerCase()} ${x.count}`).join(', ') || 'none'],
          ]),
    ),
  );
}
