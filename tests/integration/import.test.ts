import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiGatewayServer, type ApiGatewayServer } from '../../scripts/local/apigw-server.js';
import { httpGraphQL, importOrders, type ImportReport } from '../../scripts/import/import-orders.js';
import { aShop, type TestShop } from '../fixtures/api.js';
import { ukWallTimeToInstant } from '../fixtures/real-orders.js';
import { describeWithSharedData } from '../fixtures/shared-data.js';

/**
 * A deterministic slice of UCI Online Retail: every line of the customers whose id ends in 27,
 * plus 17548 and 12346, whose only invoices are undone in full by later credit notes. The file's
 * lines are `"InvoiceNo","StockCode","Description",Quantity,"InvoiceDate",UnitPrice,CustomerID,"Country"`,
 * every text quoted: the expectations below read them with a regular expression of their own.
 */
const LINE = /^"([^"]*)","([^"]*)",(?:"((?:[^"]|"")*)")?,(-?\d+),"([^"]*)",(-?[\d.]+),(\d*|NA),"([^"]*)"$/;

interface RawLine {
  text: string;
  invoice: string;
  sku: string;
  description: string;
  quantity: number;
  date: string;
  price: string;
  customer: string;
}

async function sliceOf(file: string, keep: (customer: string) => boolean): Promise<{ header: string; lines: RawLine[] }> {
  const reader = createInterface({ input: createReadStream(file).pipe(createGunzip()) });
  let header = '';
  const lines: RawLine[] = [];
  for await (const text of reader) {
    if (!header) {
      header = text;
      continue;
    }
    const match = LINE.exec(text);
    if (!match) throw new Error(`unexpected line ${text}`);
    const [, invoice, sku, description, quantity, date, price, customer] = match as unknown as [string, string, string, string, string, string, string, string];
    if (keep(customer)) lines.push({ text, invoice, sku, description: (description ?? '').replace(/""/g, '"'), quantity: Number(quantity), date, price, customer });
  }
  return { header, lines };
}

const ORDER = `query ($id: String!) { order(orderId: $id) { status total { amount } refunded { amount } cancelledAt refunds { refundId amount { amount } createdAt } lineItems { sku category quantity } } }`;

describeWithSharedData('admin import-orders on a slice of UCI Online Retail', 'online_retail/online_retail.csv.gz', (file) => {
  let server: ApiGatewayServer;
  let dir: string;
  let slice: { header: string; lines: RawLine[] };
  let csv: string;
  let main: TestShop;
  const aRetailShop = () => aShop({ currencyCode: 'GBP', timeZone: 'Europe/London', now: '2026-12-03T12:00:00Z' });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'import-'));
    slice = await sliceOf(file, (customer) => customer.endsWith('27') || customer === '17548' || customer === '12346');
    csv = join(dir, 'slice.csv');
    writeFileSync(csv, [slice.header, ...slice.lines.map((l) => l.text)].join('\n'));
    main = await aRetailShop();
    // One server for every shop of the file: the key in each request decides the shop.
    server = await startApiGatewayServer({ port: 0, handler: main.handler as never });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  const imported = (t: TestShop, input: string, extra: Partial<Parameters<typeof importOrders>[0]> = {}): Promise<ImportReport> =>
    importOrders({ file: input, send: httpGraphQL(server.url, t.adminKey), checkpointFile: join(dir, `${Math.random()}.ckpt`), log: () => {}, ...extra });

  let first: ImportReport;
  it('imports invoices through the API, counts what it skips, and a re-run adds nothing', async () => {
    const t = main;
    const invoices = new Set(slice.lines.filter((l) => !l.invoice.startsWith('C') && l.quantity > 0 && Number(l.price) > 0).map((l) => l.invoice));

    first = await imported(t, csv);
    const second = await imported(t, csv);

    expect(first).toMatchObject({ lines: slice.lines.length, guestLinesSkipped: 0, invoices: invoices.size, created: invoices.size, failed: 0, fullUndo: 'REFUND', cutInvoices: 0 });
    expect(first.failures).toEqual([]);
    expect(first.refunds).toBeGreaterThan(0);
    expect(first.cancellations).toBe(0);
    expect(second).toMatchObject({ created: 0, existing: invoices.size, failed: 0 });
  }, 240_000);

  it("dates each refund by its credit note, not by the import", async () => {
    const t = main;
    // Customer 17548 bought once (550755, April 2011) and sent it all back on one later credit note
    // (their December 2010 credit note undoes nothing in the file, so it is left unmatched).
    const credit = slice.lines.filter((l) => l.customer === '17548' && l.invoice.startsWith('C') && l.date > '2011-04-20');
    const creditDates = [...new Set(credit.map((l) => l.date))];

    const order = (await t.gql(ORDER, { id: '550755' })).data!.order;

    expect(creditDates).toHaveLength(1);
    expect(order.refunds).toHaveLength(1);
    expect(order.refunds[0].createdAt).toBe(new Date(ukWallTimeToInstant(creditDates[0]!)).toISOString());
    expect(order.refunds[0].createdAt).toBe('2011-05-06T09:00:00.000Z');
  });

  it('refunds an invoice undone in full and keeps it counted with zero revenue (METRICS.md), by default', async () => {
    const t = main;

    const order = (await t.gql(ORDER, { id: '550755' })).data!.order;

    expect(order).toMatchObject({ status: 'PLACED', cancelledAt: null });
    expect(order.refunded.amount).toBe(order.total.amount);
  });

  it('cancels it instead with --full-undo CANCEL, dated by the credit note', async () => {
    const t = await aRetailShop();
    const only = join(dir, 'undone.csv');
    writeFileSync(only, [slice.header, ...slice.lines.filter((l) => l.customer === '17548' || l.customer === '12346').map((l) => l.text)].join('\n'));

    const report = await imported(t, only, { fullUndo: 'CANCEL' });
    const order = (await t.gql(ORDER, { id: '550755' })).data!.order;
    const tiny = (await t.gql(ORDER, { id: '541431' })).data!.order;

    expect(report).toMatchObject({ fullUndo: 'CANCEL', created: 2, cancellations: 2, refunds: 0, failures: [] });
    const creditDate = slice.lines.find((l) => l.customer === '17548' && l.invoice.startsWith('C') && l.date > '2011-04-20')!.date;
    expect(order).toMatchObject({ status: 'CANCELLED', cancelledAt: new Date(ukWallTimeToInstant(creditDate)).toISOString(), refunds: [] });
    // 12346's one invoice (74,215 units) was cancelled 16 minutes later, the same January morning.
    expect(tiny).toMatchObject({ status: 'CANCELLED', cancelledAt: new Date(ukWallTimeToInstant('2011-01-18 10:17:00')).toISOString() });
  });

  it("reads the same invoices from a spreadsheet's export: BOM, ';', month/day/year dates, decimal commas, quoted line breaks, a mapped category", async () => {
    const t = await aRetailShop();
    const december = slice.lines.filter((l) => l.date < '2010-12-31' && l.customer.endsWith('27'));
    const sheetDate = (iso: string) => {
      const [, y, m, d, h, min] = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})/.exec(iso)!;
      return `${Number(m)}/${Number(d)}/${y} ${Number(h)}:${min}`;
    };
    const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;
    const target = december.find((l) => !l.invoice.startsWith('C'))!;
    const rows = december.map((l) =>
      [l.invoice, l.sku, quote(l === target ? `${l.description}\nsecond line of a "note"` : l.description), l.quantity, sheetDate(l.date), l.price.replace('.', ','), l.customer, 'United Kingdom'].join(';'),
    );
    const sheet = join(dir, 'sheet.csv');
    writeFileSync(sheet, `\uFEFFInvoiceNo;StockCode;Description;Quantity;InvoiceDate;UnitPrice;CustomerID;Country\r\n${rows.join('\r\n')}\r\n`);
    const invoices = [...new Set(december.filter((l) => !l.invoice.startsWith('C')).map((l) => l.invoice))];

    const report = await imported(t, sheet, { map: { category: 'Description' } });
    const order = (await t.gql(ORDER, { id: target.invoice })).data!.order;
    const sameInFirstShop = (await main.gql(ORDER, { id: target.invoice })).data!.order;

    expect(report).toMatchObject({ lines: december.length, created: invoices.length, failures: [] });
    expect(order.total).toEqual(sameInFirstShop.total);
    expect(order.lineItems.map((l: any) => l.sku)).toEqual(sameInFirstShop.lineItems.map((l: any) => l.sku));
    expect(order.lineItems[0].category).toBe(`${target.description}\nsecond line of a "note"`);
    expect(order.lineItems[1].category).toBe(december.filter((l) => l.invoice === target.invoice)[1]!.description);
  }, 120_000);

  it('names the line of a row it cannot read', async () => {
    const t = main;
    const broken = join(dir, 'broken.csv');
    const lines = slice.lines.slice(0, 20).map((l) => l.text);
    lines[11] = lines[11]!.replace(/"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"/, '"31/31/2011 25:00"');
    writeFileSync(broken, [slice.header, ...lines].join('\n'));

    await expect(imported(t, broken)).rejects.toThrow(/^line 13: InvoiceDate: unreadable date "31\/31\/2011 25:00"/);
  });
});
