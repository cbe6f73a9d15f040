import { seededRandom } from '../../lib/common/random.js';
import type { OrderRecordInput } from '../../lib/orders/index.js';

/**
 * A demo shop's year of orders, generated from a seed so every `npm run dev` shows the same shop.
 * Shaped like a real shop: most customers buy once, a core of regulars buys monthly, some
 * customers lapse mid-year, and November/December bring a seasonal peak.
 */
export interface DemoShop {
  customers: Array<{ externalId: string; email: string; firstName: string; lastName: string; archetype: Archetype; newsletter: boolean }>;
  orders: Array<Omit<OrderRecordInput, 'customer'> & { customer: { externalId: string; email: string } }>;
}

export type Archetype = 'ONE_TIME' | 'OCCASIONAL' | 'REGULAR' | 'LAPSED';

const catalogue = [
  { sku: 'BEAN-ESP-250', title: 'Espresso beans 250 g', category: 'coffee', price: 899 },
  { sku: 'BEAN-FIL-500', title: 'Filter roast 500 g', category: 'coffee', price: 1_499 },
  { sku: 'BEAN-DEC-250', title: 'Decaf 250 g', category: 'coffee', price: 949 },
  { sku: 'TEA-GRN-100', title: 'Sencha 100 g', category: 'tea', price: 799 },
  { sku: 'TEA-BLK-100', title: 'Assam 100 g', category: 'tea', price: 699 },
  { sku: 'EQ-V60', title: 'Pour-over dripper', category: 'equipment', price: 2_499 },
  { sku: 'EQ-GRIND', title: 'Hand grinder', category: 'equipment', price: 7_900 },
  { sku: 'EQ-KETTLE', title: 'Gooseneck kettle', category: 'equipment', price: 5_900 },
  { sku: 'ACC-FILTER', title: 'Paper filters (100)', category: 'accessories', price: 499 },
  { sku: 'ACC-MUG', title: 'Stoneware mug', category: 'accessories', price: 1_899 },
  { sku: 'GIFT-BOX', title: 'Tasting gift box', category: 'gifts', price: 3_900 },
];

const firstNames = ['Anna', 'Ben', 'Clara', 'David', 'Emma', 'Finn', 'Greta', 'Hugo', 'Ida', 'Jonas', 'Lea', 'Max', 'Nora', 'Oskar', 'Paula', 'Lars', 'Sofie', 'Tim', 'Ute', 'Vera'];
const lastNames = ['Bakker', 'Schmidt', 'de Vries', 'Müller', 'Jansen', 'Weber', 'Visser', 'Fischer', 'Smit', 'Wagner', 'Meijer', 'Becker'];

/** Month weights (Jan..Dec): summer dip, gift-season peak. */
const seasonality = [0.9, 0.8, 0.9, 1, 1, 0.8, 0.7, 0.8, 1, 1.1, 1.8, 2.2];

/** Given a seed, a customer count and the end of the year to cover, returns the demo shop. */
export function generateDemoShop(options: { seed?: number; customers?: number; end: Date; currencyCode?: string }): DemoShop {
  const random = seededRandom(options.seed ?? 42);
  const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const end = options.end.getTime();
  const start = end - 365 * 86_400_000;
  const currencyCode = options.currencyCode ?? 'EUR';
  const day = 86_400_000;

  // A date in [from, to) drawn with the seasonal weights (rejection sampling).
  const seasonalDate = (from: number, to: number) => {
    for (;;) {
      const t = from + random() * (to - from);
      if (random() * 2.2 < seasonality[new Date(t).getUTCMonth()]!) return t;
    }
  };

  const shop: DemoShop = { customers: [], orders: [] };
  let orderNo = 1000;
  const count = options.customers ?? 300;
  for (let i = 0; i < count; i++) {
    const r = random();
    const archetype: Archetype = r < 0.45 ? 'ONE_TIME' : r < 0.7 ? 'OCCASIONAL' : r < 0.85 ? 'REGULAR' : 'LAPSED';
    const firstName = pick(firstNames);
    const lastName = pick(lastNames);
    const externalId = `demo-${String(i + 1).padStart(4, '0')}`;
    const email = `${firstName}.${lastName}.${i + 1}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, '');
    shop.customers.push({ externalId, email, firstName, lastName, archetype, newsletter: random() < 0.4 });

    const first = seasonalDate(start, end - 7 * day);
    const times = [first];
    if (archetype === 'OCCASIONAL') {
      const extra = 1 + Math.floor(random() * 2);
      for (let k = 0; k < extra; k++) times.push(first + random() * (end - first));
    } else if (archetype === 'REGULAR') {
      for (let t = first + (20 + random() * 25) * day; t < end; t += (20 + random() * 25) * day) times.push(t);
    } else if (archetype === 'LAPSED') {
      const lapseAt = Math.min(end - 90 * day, first + (60 + random() * 90) * day);
      for (let t = first + (15 + random() * 30) * day; t < lapseAt; t += (15 + random() * 30) * day) times.push(t);
    }
    for (const t of times.filter((t) => t < end).sort((a, b) => a - b)) {
      const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
        const product = pick(catalogue);
        return { sku: product.sku, title: product.title, category: product.category, quantity: 1 + Math.floor(random() * 2), unitPrice: product.price };
      });
      const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
      const discounts = random() < 0.15 ? Math.round(subtotal * 0.1) : 0;
      const shipping = subtotal - discounts >= 4_900 ? 0 : 495;
      const tax = Math.round((subtotal - discounts) * 0.07);
      shop.orders.push({
        orderId: `D${orderNo++}`,
        customer: { externalId, email },
        placedAt: new Date(Math.floor(t / 1000) * 1000).toISOString(),
        currencyCode,
        subtotal,
        discounts,
        shipping,
        tax,
        total: subtotal - discounts + shipping + tax,
        lineItems: lines,
        discountCodes: discounts ? ['WELCOME10'] : [],
        channel: random() < 0.85 ? 'web' : 'pos',
      });
    }
  }
  return shop;
}
