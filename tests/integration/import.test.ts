import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiGatewayServer, type ApiGatewayServer } from '../../scripts/local/apigw-server.js';
import { parseCsvLine } from '../../scripts/import/csv.js';
import { httpGraphQL, importOrders } from '../../scripts/import/import-orders.js';
import { aShop, type TestShop } from '../fixtures/api.js';
import { describeWithSharedData } from '../fixtures/shared-data.js';

/** The first `count` lines (plus header) of a gzipped file, as text. */
async function headOfGzip(file: string, count: number): Promise<string[]> {
  const lines: string[] = [];
  const reader = createInterface({ input: createReadStream(file).pipe(createGunzip()) });
  for await (const line of reader) {
    lines.push(line);
    if (lines.length > count) break;
  }
  reader.close();
  return lines;
}

describeWithSharedData('admin import-orders on a slice of UCI Online Retail', 'online_retail/online_retail.csv.gz', (file) => {
  let t: TestShop;
  let server: ApiGatewayServer;
  let csv: string;
  let lines: string[];
  beforeAll(async () => {
    t = await aShop({ currencyCode: 'GBP', timeZone: 'Europe/London' });
    server = await startApiGatewayServer({ port: 0, handler: t.handler as never });
    lines = await headOfGzip(file, 4_000);
    csv = join(mkdtempSync(join(tmpdir(), 'import-')), 'slice.csv');
    writeFileSync(csv, lines.join('\n'));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('imports invoices through the API, counts what it skips, and a re-run adds nothing', async () => {
    // Independent expectations, straight from the raw lines.
    // Tokenising is shared with the importer; grouping and counting are done here independently.
    const rows = lines.slice(1).map(parseCsvLine);
    const guest = rows.filter((r) => r[6] === '' || r[6] === 'NA').length;
    const invoices = new Set(rows.filter((r) => r[6] && r[6] !== 'NA' && !r[0]!.includes('C') && Number(r[3]) > 0 && Number(r[5]) > 0).map((r) => r[0]));
    const send = httpGraphQL(server.url, t.adminKey);

    const first = await importOrders({ file: csv, send, checkpointFile: `${csv}.ckpt`, log: () => {} });
    const second = await importOrders({ file: csv, send, checkpointFile: `${csv}.other-ckpt`, log: () => {} });

    expect(first).toMatchObject({ lines: 4_000, guestLinesSkipped: guest, invoices: invoices.size, created: invoices.size, failed: 0 });
    expect(first.failures).toEqual([]);
    expect(first.refunds + first.cancellations).toBeGreaterThan(0);
    expect(second).toMatchObject({ created: 0, existing: invoices.size, failed: 0 });
    const sample = [...invoices][0]!;
    const order = await t.gql(`query ($id: String!) { order(orderId: $id) { orderId currencyCode customer { externalId } } }`, { id: sample });
    expect(order.data!.order).toMatchObject({ orderId: sample, currencyCode: 'GBP' });
  });
});
