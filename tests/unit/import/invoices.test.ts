import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../../scripts/import/csv.js';
import { MAX_LINE_ITEMS, parseInvoiceDate, planCancellations, readInvoiceFile, type InvoiceFile } from '../../../scripts/import/invoices.js';
import { loadOnlineRetail, parseCsv, ukWallTimeToInstant, type OnlineRetailData } from '../../fixtures/real-orders.js';
import { describeWithSharedData } from '../../fixtures/shared-data.js';

describe('invoice dates', () => {
  it('reads ISO dates and the spreadsheet form, in the shop time zone unless an offset is given', () => {
    expect(parseInvoiceDate('2010-12-01 08:26:00', 'Europe/London')).toBe('2010-12-01T08:26:00.000Z');
    expect(parseInvoiceDate('2011-06-01T08:26', 'Europe/London')).toBe('2011-06-01T07:26:00.000Z');
    expect(parseInvoiceDate('2011-06-01T08:26:00+02:00', 'Europe/London')).toBe('2011-06-01T06:26:00.000Z');
    expect(parseInvoiceDate('2011-06-01 08:26:00Z', 'Europe/London')).toBe('2011-06-01T08:26:00.000Z');
    expect(parseInvoiceDate('12/1/2010 8:26', 'Europe/London')).toBe('2010-12-01T08:26:00.000Z');
    expect(parseInvoiceDate('6/1/2011 8:26:30 PM', 'Europe/London')).toBe('2011-06-01T19:26:30.000Z');
    expect(parseInvoiceDate('1/12/2010 8:26', 'Europe/London', 'DMY')).toBe('2010-12-01T08:26:00.000Z');
    expect(parseInvoiceDate('12/1/2010', 'UTC')).toBe('2010-12-01T00:00:00.000Z');
  });

  it('refuses what is not a date, saying how it read it', () => {
    expect(() => parseInvoiceDate('13/1/2010 8:26', 'UTC')).toThrow(/unreadable date "13\/1\/2010 8:26" \(read as month\/day\/year\)/);
    expect(() => parseInvoiceDate('2010-02-30 08:00', 'UTC')).toThrow(/unreadable date/);
    expect(() => parseInvoiceDate('yesterday', 'UTC')).toThrow(/expected e.g. 2010-12-01 08:26 or 12\/1\/2010 8:26/);
  });
});

describe('CSV files', () => {
  const write = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'csv-')), 'in.csv');
    writeFileSync(file, text);
    return file;
  };
  const rows = async (file: string) => {
    const out = [];
    for await (const row of readCsv(file)) out.push(row);
    return out;
  };

  it("reads a BOM, ';' separators, quoted separators, quotes and line breaks, and says where each row ends", async () => {
    const file = write('\uFEFFInvoiceNo;Description;Quantity\r\n1;"a; b";2\r\n\r\n2;"two\nlines, ""quoted""";3\r\n3;short\r\n');

    expect(await rows(file)).toEqual([
      { line: 2, fields: { InvoiceNo: '1', Description: 'a; b', Quantity: '2' } },
      { line: 5, fields: { InvoiceNo: '2', Description: 'two\nlines, "quoted"', Quantity: '3' } },
      { line: 6, fields: { InvoiceNo: '3', Description: 'short', Quantity: '' } },
    ]);
  });

  it('names the line of a row it cannot read', async () => {
    const invoices = write('InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID\n1,A,x,1,2010-12-01 08:00,1.5,7\n2,B,y,one,2010-12-01 08:00,1.5,7\n');
    const quotes = write('a,b\n1,2\n3,"4" x\n');

    await expect(readInvoiceFile(invoices, { currencyCode: 'GBP', timeZone: 'UTC' })).rejects.toThrow(/^line 3: Quantity "one" is not a number$/);
    await expect(rows(quotes)).rejects.toThrow(/^line 3: /);
  });

  it('reads decimal commas and names a missing column with the --map hint', async () => {
    const ok = write('InvoiceNo;StockCode;Description;Quantity;InvoiceDate;UnitPrice;CustomerID\n1;A;x;2;12/1/2010 8:26;1,25;7\n');
    const missing = write('Invoice,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n1,A,1,2010-12-01,1,7\n');

    expect((await readInvoiceFile(ok, { currencyCode: 'GBP', timeZone: 'UTC' })).orders[0]).toMatchObject({ total: 250, placedAt: '2010-12-01T08:26:00.000Z', lineItems: [{ sku: 'A', quantity: 2, unitPrice: 125 }] });
    await expect(readInvoiceFile(missing, { currencyCode: 'GBP', timeZone: 'UTC' })).rejects.toThrow(/no column InvoiceNo \(invoice\); name the columns with --map/);
  });
});

/**
 * The whole file through the importer's reader (no API: that path is tests/integration/import),
 * against the fixture's own parser and grouping.
 */
describeWithSharedData('the importer on the whole of UCI Online Retail', 'online_retail/online_retail.csv.gz', (file) => {
  let parsed: InvoiceFile;
  let reference: OnlineRetailData;
  let rawUnits: Map<string, number>;
  beforeAll(async () => {
    parsed = await readInvoiceFile(file, { currencyCode: 'GBP', timeZone: 'Europe/London' });
    reference = loadOnlineRetail(file);
    const [header, ...rows] = parseCsv(gunzipSync(readFileSync(file)).toString('utf8'));
    const col = (name: string) => header!.indexOf(name);
    rawUnits = new Map();
    for (const row of rows) {
      const [invoice, quantity, price, customer] = [row[col('InvoiceNo')]!, Number(row[col('Quantity')]), Number(row[col('UnitPrice')]), row[col('CustomerID')]];
      if (!customer || customer === 'NA' || invoice.startsWith('C') || !(quantity > 0 && price > 0)) continue;
      rawUnits.set(invoice, (rawUnits.get(invoice) ?? 0) + quantity);
    }
  }, 180_000);

  it('reads every invoice with the amount and date the file gives it', () => {
    const byId = new Map(parsed.orders.map((o) => [o.orderId, o]));

    expect(parsed.counts).toMatchObject({ lines: reference.counts.lines, guestLines: reference.counts.guestLines, orders: reference.counts.invoices, customers: reference.counts.customers });
    for (const order of reference.orders) {
      const ours = byId.get(order.orderId)!;
      expect(ours.total).toBe(order.amount);
      expect(ours.placedAt).toBe(new Date(order.placedAt).toISOString());
    }
  });

  it('keeps every unit: repeated lines are merged, and what the 500-line limit cuts is counted', () => {
    const cut = parsed.orders.filter((o) => o.lineItems.length === MAX_LINE_ITEMS && o.lineItems.reduce((s, l) => s + l.quantity, 0) < rawUnits.get(o.orderId)!);
    const missing = cut.reduce((sum, o) => sum + rawUnits.get(o.orderId)! - o.lineItems.reduce((s, l) => s + l.quantity, 0), 0);

    for (const order of parsed.orders) {
      if (!cut.includes(order)) expect(order.lineItems.reduce((s, l) => s + l.quantity, 0)).toBe(rawUnits.get(order.orderId));
    }
    expect(parsed.counts.mergedLines).toBeGreaterThan(0);
    expect(cut.map((o) => o.orderId).sort()).toEqual(['576339', '579196', '580727']);
    expect(parsed.counts).toMatchObject({ cutInvoices: 3, cutUnits: missing });
  });

  it('dates each refund by its credit note, and undoes an invoice in full as a refund or, if asked, a cancellation', () => {
    const refunds = planCancellations(parsed.orders, parsed.cancellations).refunds;
    const cancels = planCancellations(parsed.orders, parsed.cancellations, 'CANCEL').refunds;
    const creditDate = new Map(reference.cancellations.map((c) => [c.invoiceNo, new Date(c.placedAt).toISOString()]));

    for (const plan of refunds) expect(plan.at).toBe(creditDate.get(plan.refundId.split(':')[0]!));
    expect(refunds.every((plan) => !plan.cancel)).toBe(true);
    const undone = cancels.filter((plan) => plan.cancel);
    expect(undone.length).toBeGreaterThan(100);
    // One cancellation per order, however many credit notes it took.
    expect(new Set(undone.map((plan) => plan.orderId)).size).toBe(undone.length);
    const order = parsed.orders.find((o) => o.orderId === '550755')!;
    expect(refunds.filter((plan) => plan.orderId === '550755').reduce((s, p) => s + p.amount, 0)).toBe(order.total);
    expect(undone.find((plan) => plan.orderId === '550755')!.at).toBe(new Date(ukWallTimeToInstant('2011-05-06 10:00:00')).toISOString());
  });
});
