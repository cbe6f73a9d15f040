import { zonedTimeToInstant } from '../../lib/metrics/index.js';
import { readCsv } from './csv.js';

/**
 * Turns a line-item export (one row per invoice line, as the UCI Online Retail data set and most
 * shop exports have it) into orders. Columns: InvoiceNo, StockCode, Description, Quantity,
 * InvoiceDate ('YYYY-MM-DD HH:MM:SS', shop-local), UnitPrice (major units), CustomerID, Country.
 * Invoices whose number starts with 'C' cancel items bought earlier.
 */
export interface ImportedOrder {
  orderId: string;
  customer: { externalId: string };
  placedAt: string;
  currencyCode: string;
  subtotal: number;
  total: number;
  lineItems: Array<{ sku: string; title?: string; quantity: number; unitPrice: number }>;
  channel: string;
}

export interface Cancellation {
  invoice: string;
  customerExternalId: string;
  placedAt: string;
  lines: Array<{ sku: string; quantity: number; unitPrice: number }>;
}

export interface InvoiceFile {
  orders: ImportedOrder[];
  cancellations: Cancellation[];
  counts: {
    lines: number;
    guestLines: number;
    nonPositiveLines: number;
    cancellationLines: number;
    orders: number;
    customers: number;
  };
}

/** Converts a shop-local 'YYYY-MM-DD HH:MM[:SS]' to an ISO instant in the given IANA zone. */
export function localToIso(local: string, timeZone: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/.exec(local.trim());
  if (!match) throw new Error(`Unreadable date "${local}"`);
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  return zonedTimeToInstant({ year, month, day, hour, minute, second }, timeZone).toISOString();
}

/** Minor units of quantity × unit price given in major units (rounded to the nearest unit). */
function minor(quantity: number, unitPrice: number): number {
  return Math.round(quantity * unitPrice * 100);
}

/** Reads a line-item CSV (optionally .gz) into orders and cancellations, counting what it skips. */
export async function readInvoiceFile(file: string, options: { currencyCode: string; timeZone: string }): Promise<InvoiceFile> {
  const counts = { lines: 0, guestLines: 0, nonPositiveLines: 0, cancellationLines: 0, orders: 0, customers: 0 };
  const orders = new Map<string, ImportedOrder>();
  const cancellations = new Map<string, Cancellation>();
  for await (const row of readCsv(file)) {
    counts.lines += 1;
    const invoice = row.InvoiceNo!.trim();
    const customer = (row.CustomerID ?? '').trim().replace(/\.0$/, '');
    if (!customer || customer === 'NA') {
      counts.guestLines += 1;
      continue;
    }
    const quantity = Number(row.Quantity);
    const unitPrice = Number(row.UnitPrice);
    const placedAt = localToIso(row.InvoiceDate!, options.timeZone);
    const sku = row.StockCode!.trim();
    if (invoice.startsWith('C')) {
      counts.cancellationLines += 1;
      const c = cancellations.get(invoice) ?? { invoice, customerExternalId: customer, placedAt, lines: [] };
      c.lines.push({ sku, quantity: Math.abs(quantity), unitPrice });
      cancellations.set(invoice, c);
      continue;
    }
    if (!(quantity > 0) || !(unitPrice > 0)) {
      counts.nonPositiveLines += 1;
      continue;
    }
    const order = orders.get(invoice) ?? {
      orderId: invoice,
      customer: { externalId: customer },
      placedAt,
      currencyCode: options.currencyCode,
      subtotal: 0,
      total: 0,
      lineItems: [],
      channel: 'online',
    };
    const amount = minor(quantity, unitPrice);
    order.subtotal += amount;
    order.total += amount;
    // Line items carry integer unit prices; the order amounts are summed from exact line totals.
    order.lineItems.push({ sku, ...(row.Description ? { title: row.Description.trim().slice(0, 500) } : {}), quantity, unitPrice: Math.round(unitPrice * 100) });
    orders.set(invoice, order);
  }
  const list = [...orders.values()].sort((a, b) => (a.placedAt < b.placedAt ? -1 : a.placedAt > b.placedAt ? 1 : a.orderId.localeCompare(b.orderId)));
  for (const order of list) if (order.lineItems.length > 500) order.lineItems = order.lineItems.slice(0, 500);
  counts.orders = list.length;
  counts.customers = new Set(list.map((o) => o.customer.externalId)).size;
  return { orders: list, cancellations: [...cancellations.values()], counts };
}

export interface RefundPlan {
  orderId: string;
  refundId: string;
  amount: number;
  /** The whole remaining amount is refunded: the order is cancelled instead. */
  cancel: boolean;
}

/**
 * Matches each cancellation line to the customer's latest earlier invoice holding that item and
 * turns it into a refund of that invoice (capped at what is left); an invoice refunded in full
 * becomes a cancellation. Lines with no earlier match are counted, not guessed.
 */
export function planCancellations(orders: ImportedOrder[], cancellations: Cancellation[]): { refunds: RefundPlan[]; unmatchedLines: number } {
  const byCustomer = new Map<string, ImportedOrder[]>();
  for (const order of orders) {
    const list = byCustomer.get(order.customer.externalId) ?? [];
    list.push(order);
    byCustomer.set(order.customer.externalId, list);
  }
  const refundedSoFar = new Map<string, number>();
  const refunds = new Map<string, RefundPlan>();
  let unmatchedLines = 0;
  for (const c of [...cancellations].sort((a, b) => a.placedAt.localeCompare(b.placedAt) || a.invoice.localeCompare(b.invoice))) {
    for (const line of c.lines) {
      const candidates = (byCustomer.get(c.customerExternalId) ?? []).filter(
        (o) => o.placedAt <= c.placedAt && o.lineItems.some((l) => l.sku === line.sku) && (refundedSoFar.get(o.orderId) ?? 0) < o.total,
      );
      const target = candidates.at(-1);
      if (!target || !(line.unitPrice > 0)) {
        unmatchedLines += 1;
        continue;
      }
      const left = target.total - (refundedSoFar.get(target.orderId) ?? 0);
      const amount = Math.min(left, minor(line.quantity, line.unitPrice));
      if (amount <= 0) continue;
      refundedSoFar.set(target.orderId, (refundedSoFar.get(target.orderId) ?? 0) + amount);
      const refundId = `${c.invoice}:${target.orderId}`;
      const plan = refunds.get(refundId) ?? { orderId: target.orderId, refundId, amount: 0, cancel: false };
      plan.amount += amount;
      refunds.set(refundId, plan);
    }
  }
  const plans = [...refunds.values()];
  for (const order of orders) {
    if ((refundedSoFar.get(order.orderId) ?? 0) >= order.total) {
      // Refunded in full by cancellations: the order is cancelled, not refunded.
      for (const plan of plans) if (plan.orderId === order.orderId) plan.cancel = true;
    }
  }
  return { refunds: plans, unmatchedLines };
}
