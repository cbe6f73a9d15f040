import { zonedTimeToInstant } from '../../lib/metrics/index.js';
import { readCsv, UnreadableRowError } from './csv.js';

/**
 * Turns a line-item export (one row per invoice line, as the UCI Online Retail data set and most
 * shop exports have it) into orders. Default columns: InvoiceNo, StockCode, Description,
 * Quantity, InvoiceDate (shop-local), UnitPrice (major units), CustomerID, and Category when the
 * file has one; `map` names other columns for any of them. Invoices whose number starts with 'C'
 * undo items bought earlier (credit notes).
 */

/** The importer's fields and the columns they are read from by default. */
export const DEFAULT_COLUMNS = {
  invoice: 'InvoiceNo',
  sku: 'StockCode',
  title: 'Description',
  quantity: 'Quantity',
  date: 'InvoiceDate',
  unitPrice: 'UnitPrice',
  customer: 'CustomerID',
  category: 'Category',
} as const;
export type ImportField = keyof typeof DEFAULT_COLUMNS;
const OPTIONAL_FIELDS: ReadonlySet<ImportField> = new Set(['title', 'category']);

/** The order API takes at most this many line items per order. */
export const MAX_LINE_ITEMS = 500;

export interface ImportedOrder {
  orderId: string;
  customer: { externalId: string };
  placedAt: string;
  currencyCode: string;
  subtotal: number;
  total: number;
  lineItems: Array<{ sku: string; title?: string; category?: string; quantity: number; unitPrice: number }>;
  channel: string;
}

export interface Cancellation {
  invoice: string;
  customerExternalId: string;
  /** The credit note's date: refunds and cancellations made from it carry it. */
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
    /** Lines folded into an earlier line of the same invoice with the same SKU and unit price (quantities added). */
    mergedLines: number;
    /** Invoices still over MAX_LINE_ITEMS lines after merging, and what was left off them (their totals stay whole). */
    cutInvoices: number;
    cutLines: number;
    cutUnits: number;
  };
}

/** How to read day/month dates such as 12/1/2010: month first (the UCI export, US spreadsheets) or day first. */
export type DateOrder = 'MDY' | 'DMY';

export interface ReadOptions {
  currencyCode: string;
  timeZone: string;
  dateOrder?: DateOrder;
  /** Field → column name, over DEFAULT_COLUMNS (e.g. { category: 'Description' }). */
  map?: Partial<Record<ImportField, string>>;
  delimiter?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Converts an invoice date to an ISO instant. Accepted: ISO 8601 (`2010-12-01 08:26`,
 * `2010-12-01T08:26:00`, with an offset or `Z` taken as given, else shop-local), and the
 * spreadsheet form `12/1/2010 8:26` (optionally with seconds and AM/PM), month first unless
 * `dateOrder` is DMY. Local times are read in `timeZone`. Throws on anything else.
 */
export function parseInvoiceDate(text: string, timeZone: string, dateOrder: DateOrder = 'MDY'): string {
  const value = text.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(value);
  const sheet = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i.exec(value);
  let wall: { year: number; month: number; day: number; hour: number; minute: number; second: number };
  if (iso) {
    const [, y, mo, d, h, mi, s, zone] = iso;
    wall = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h ?? 0), minute: Number(mi ?? 0), second: Number(s ?? 0) };
    if (zone) {
      const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
      const ms = Date.parse(`${y}-${mo}-${d}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}${offset}`);
      if (Number.isNaN(ms)) throw new Error(`unreadable date "${text}"`);
      return new Date(ms).toISOString();
    }
  } else if (sheet) {
    const [, first, second, y, h, mi, s, meridiem] = sheet;
    const [month, day] = dateOrder === 'MDY' ? [Number(first), Number(second)] : [Number(second), Number(first)];
    let hour = Number(h ?? 0);
    if (meridiem) {
      if (hour < 1 || hour > 12) throw new Error(`unreadable date "${text}"`);
      hour = (hour % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
    }
    wall = { year: Number(y), month, day, hour, minute: Number(mi ?? 0), second: Number(s ?? 0) };
  } else {
    throw new Error(`unreadable date "${text}" (expected e.g. 2010-12-01 08:26 or 12/1/2010 8:26)`);
  }
  const { year, month, day, hour, minute, second } = wall;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw new Error(`unreadable date "${text}"${sheet ? ` (read as ${dateOrder === 'MDY' ? 'month/day' : 'day/month'}/year)` : ''}`);
  }
  return zonedTimeToInstant(wall, timeZone).toISOString();
}

/** Reads a number written with a decimal point or, as `;`-separated spreadsheets write it, a decimal comma. */
function parseNumber(text: string, column: string, line: number): number {
  const value = text.trim();
  const normalised = /^-?\d+,\d+$/.test(value) ? value.replace(',', '.') : value;
  const n = value === '' ? Number.NaN : Number(normalised);
  if (!Number.isFinite(n)) throw new UnreadableRowError(line, `${column} "${text}" is not a number`);
  return n;
}

/** Minor units of quantity × unit price given in major units (rounded to the nearest unit). */
function minor(quantity: number, unitPrice: number): number {
  return Math.round(quantity * unitPrice * 100);
}

/**
 * Reads a line-item CSV (optionally .gz) into orders and cancellations, counting what it skips.
 * Throws UnreadableRowError (with the file line) for a row it cannot read, and an Error naming
 * the missing columns when the header lacks a required one.
 */
export async function readInvoiceFile(file: string, options: ReadOptions): Promise<InvoiceFile> {
  const columns: Record<ImportField, string> = { ...DEFAULT_COLUMNS, ...options.map };
  const counts = { lines: 0, guestLines: 0, nonPositiveLines: 0, cancellationLines: 0, orders: 0, customers: 0, mergedLines: 0, cutInvoices: 0, cutLines: 0, cutUnits: 0 };
  const orders = new Map<string, ImportedOrder>();
  const lineIndex = new Map<string, Map<string, number>>();
  const cancellations = new Map<string, Cancellation>();
  let checked = false;
  for await (const { line, fields } of readCsv(file, options.delimiter ? { delimiter: options.delimiter } : {})) {
    if (!checked) {
      const missing = (Object.keys(columns) as ImportField[]).filter((f) => !OPTIONAL_FIELDS.has(f) && !(columns[f] in fields)).map((f) => `${columns[f]} (${f})`);
      if (missing.length > 0) throw new Error(`${file}: no column ${missing.join(', ')}; name the columns with --map ${missing.length === 1 ? '' : 'e.g. '}field=Column`);
      if (options.map?.category && !(options.map.category in fields)) throw new Error(`${file}: no column ${options.map.category} for --map category`);
      checked = true;
    }
    counts.lines += 1;
    const cell = (field: ImportField) => (fields[columns[field]] ?? '').trim();
    const invoice = cell('invoice');
    if (!invoice) throw new UnreadableRowError(line, `no ${columns.invoice}`);
    const customer = cell('customer').replace(/\.0$/, '');
    if (!customer || customer === 'NA') {
      counts.guestLines += 1;
      continue;
    }
    const quantity = parseNumber(cell('quantity'), columns.quantity, line);
    const unitPrice = parseNumber(cell('unitPrice'), columns.unitPrice, line);
    let placedAt: string;
    try {
      placedAt = parseInvoiceDate(cell('date'), options.timeZone, options.dateOrder);
    } catch (error) {
      throw new UnreadableRowError(line, `${columns.date}: ${(error as Error).message}`);
    }
    const sku = cell('sku');
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
    if (placedAt < order.placedAt) order.placedAt = placedAt;
    const amount = minor(quantity, unitPrice);
    order.subtotal += amount;
    order.total += amount;
    // Line items carry integer unit prices; the order amounts are summed from exact line totals.
    const price = Math.round(unitPrice * 100);
    const key = `${sku}|${price}`;
    const seen = lineIndex.get(invoice) ?? new Map<string, number>();
    const at = seen.get(key);
    if (at !== undefined) {
      // The same item at the same price again (the UCI file has many): one line, quantities added.
      order.lineItems[at]!.quantity += quantity;
      counts.mergedLines += 1;
    } else {
      const title = cell('title');
      const category = columns.category in fields ? cell('category') : '';
      seen.set(key, order.lineItems.length);
      order.lineItems.push({ sku, ...(title ? { title: title.slice(0, 500) } : {}), ...(category ? { category: category.slice(0, 200) } : {}), quantity, unitPrice: price });
    }
    lineIndex.set(invoice, seen);
    orders.set(invoice, order);
  }
  const list = [...orders.values()].sort((a, b) => (a.placedAt < b.placedAt ? -1 : a.placedAt > b.placedAt ? 1 : a.orderId.localeCompare(b.orderId)));
  for (const order of list) {
    if (order.lineItems.length <= MAX_LINE_ITEMS) continue;
    const cut = order.lineItems.slice(MAX_LINE_ITEMS);
    counts.cutInvoices += 1;
    counts.cutLines += cut.length;
    counts.cutUnits += cut.reduce((sum, l) => sum + l.quantity, 0);
    order.lineItems = order.lineItems.slice(0, MAX_LINE_ITEMS);
  }
  counts.orders = list.length;
  counts.customers = new Set(list.map((o) => o.customer.externalId)).size;
  return { orders: list, cancellations: [...cancellations.values()], counts };
}

/**
 * What an invoice undone in full by credit notes becomes. REFUND (the default) follows METRICS.md:
 * a fully refunded order still counts as an order placed, with zero revenue. CANCEL reads a full
 * credit note as "the order never happened": it stops counting.
 */
export type FullUndo = 'REFUND' | 'CANCEL';

export interface RefundPlan {
  orderId: string;
  refundId: string;
  amount: number;
  /** The whole remaining amount is undone and `fullUndo` is CANCEL: the order is cancelled instead. */
  cancel: boolean;
  /** The credit note's date. */
  at: string;
}

/**
 * Matches each cancellation line to the customer's latest earlier invoice holding that item and
 * turns it into a refund of that invoice (capped at what is left), dated by the credit note; an
 * invoice undone in full is refunded in full (REFUND) or cancelled (CANCEL, dated by the credit
 * note that completed it). Lines with no earlier match are counted, not guessed.
 */
export function planCancellations(orders: ImportedOrder[], cancellations: Cancellation[], fullUndo: FullUndo = 'REFUND'): { refunds: RefundPlan[]; unmatchedLines: number } {
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
      const plan = refunds.get(refundId) ?? { orderId: target.orderId, refundId, amount: 0, cancel: false, at: c.placedAt };
      plan.amount += amount;
      refunds.set(refundId, plan);
    }
  }
  const plans = [...refunds.values()];
  if (fullUndo === 'REFUND') return { refunds: plans, unmatchedLines };
  const byId = new Map(orders.map((o) => [o.orderId, o]));
  const kept: RefundPlan[] = [];
  const cancelled = new Map<string, RefundPlan>();
  for (const plan of plans) {
    const order = byId.get(plan.orderId);
    if (!order || (refundedSoFar.get(order.orderId) ?? 0) < order.total) {
      kept.push(plan);
      continue;
    }
    // Undone in full: one cancellation, dated by the last credit note that undid it.
    const existing = cancelled.get(plan.orderId);
    if (!existing || plan.at > existing.at) cancelled.set(plan.orderId, { ...plan, cancel: true });
  }
  return { refunds: [...kept, ...cancelled.values()], unmatchedLines };
}
