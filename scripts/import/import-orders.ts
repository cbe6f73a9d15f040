import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { sha256Hex } from '../../lib/common/hash.js';
import { planCancellations, readInvoiceFile, type DateOrder, type FullUndo, type ImportedOrder, type ImportField, type RefundPlan } from './invoices.js';

/** Sends one GraphQL request and returns its data (throws on transport or top-level errors). */
export type GraphQLSend = (query: string, variables: Record<string, unknown>) => Promise<any>;

/** A GraphQL client over HTTP with a secret key; retries transport faults (every write is idempotent). */
export function httpGraphQL(url: string, apiKey: string): GraphQLSend {
  return async (query, variables) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(120_000),
        });
        const body = (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> };
        // Throttled (429): the shop's cost bucket refills at a steady rate, so wait as told and
        // send the same request again; this does not use up a retry.
        if (response.status === 429) {
          const seconds = Number(response.headers.get('retry-after') ?? '1');
          await new Promise((r) => setTimeout(r, Math.max(1, Number.isFinite(seconds) ? seconds : 1) * 1000));
          attempt -= 1;
          continue;
        }
        if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
        if (body.errors?.length) throw new FatalImportError(body.errors.map((e) => e.message).join('; '));
        return body.data;
      } catch (error) {
        if (error instanceof FatalImportError || attempt >= 4) throw error;
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
  };
}

export class FatalImportError extends Error {}

const BATCH = /* GraphQL */ `
  mutation ($input: OrderRecordBatchInput!) {
    orderRecordBatch(input: $input) {
      createdCount
      existingCount
      failedCount
      results { orderId userErrors { field code message } }
      userErrors { field code message }
    }
  }
`;

export interface ImportReport {
  file: string;
  lines: number;
  guestLinesSkipped: number;
  nonPositiveLinesSkipped: number;
  cancellationLines: number;
  invoices: number;
  customers: number;
  created: number;
  existing: number;
  failed: number;
  /** Lines folded into an earlier line of their invoice (same SKU and price, quantities added). */
  mergedLines: number;
  /** Invoices over the API's 500 line items even after merging, and the lines and units left off them (the totals keep them). */
  cutInvoices: number;
  cutLines: number;
  cutUnits: number;
  refunds: number;
  cancellations: number;
  /** What an invoice undone in full became: REFUND (counts, zero revenue: METRICS.md) or CANCEL. */
  fullUndo: FullUndo;
  unmatchedCancellationLines: number;
  failures: Array<{ orderId: string | null; message: string }>;
  /** Wall-clock seconds of each phase: reading the file, sending the orders, sending the refunds. */
  seconds: { read: number; orders: number; refunds: number };
}

interface Checkpoint {
  file: string;
  batchesDone: number;
  refundsDone: number;
}

/**
 * Checkpoints live in the project's git-ignored `.import/`, never beside the input: the input may
 * sit in a read-only or shared folder.
 */
function defaultCheckpointFile(file: string, shopId: string): string {
  const dir = join(process.cwd(), '.import');
  mkdirSync(dir, { recursive: true });
  // Per file and shop: the same file imported into another shop starts from the beginning.
  return join(dir, `${basename(file)}.${sha256Hex(`${resolve(file)}|${shopId}`).slice(0, 12)}.json`);
}

function progress(label: string, done: number, total: number, unit: string): void {
  if (!process.stderr.isTTY) {
    // In a log, one line per tenth is enough.
    const step = Math.max(1, Math.ceil(total / 10));
    if (Math.floor(done / step) !== Math.floor((lastLogged.get(label) ?? -step) / step) || done === total) {
      lastLogged.set(label, done);
      process.stderr.write(`${label} ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${unit}\n`);
    }
    return;
  }
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${unit}`);
  if (done >= total) process.stderr.write('\n');
}

const lastLogged = new Map<string, number>();

/**
 * Runs `task` for indexes from..count-1 with at most `limit` in flight; `onDone` is called with
 * the length of the prefix of indexes that have all finished (what a checkpoint can record).
 */
async function inParallel(from: number, count: number, limit: number, task: (i: number) => Promise<void>, onDone: (prefix: number) => void): Promise<void> {
  let next = from;
  let prefix = from;
  const finished = new Set<number>();
  await Promise.all(
    Array.from({ length: Math.min(limit, Math.max(0, count - from)) }, async () => {
      while (next < count) {
        const i = next++;
        await task(i);
        finished.add(i);
        while (finished.has(prefix)) finished.delete(prefix++);
        onDone(prefix);
      }
    }),
  );
}

/**
 * Imports a line-item CSV through the API: invoices by `orderRecordBatch` (100 per call), then
 * cancellation invoices as refunds or cancellations of the invoices they undo. Resumable (a
 * checkpoint file in .import/ skips batches already sent) and idempotent (order ids and
 * refund ids are natural keys), so a re-run adds nothing.
 */
export async function importOrders(options: {
  file: string;
  send: GraphQLSend;
  checkpointFile?: string;
  batchSize?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  dateOrder?: DateOrder;
  map?: Partial<Record<ImportField, string>>;
  delimiter?: string;
  fullUndo?: FullUndo;
  log?: (line: string) => void;
}): Promise<ImportReport> {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  let phaseStart = performance.now();
  const lap = () => {
    const seconds = Math.round((performance.now() - phaseStart) / 100) / 10;
    phaseStart = performance.now();
    return seconds;
  };
  const fullUndo = options.fullUndo ?? 'REFUND';
  const concurrency = options.concurrency ?? 4;
  const shop = (await options.send(`{ shop { id currencyCode timeZone } }`, {})).shop as { id: string; currencyCode: string; timeZone: string };
  const parsed = await readInvoiceFile(options.file, {
    currencyCode: shop.currencyCode,
    timeZone: shop.timeZone,
    ...(options.dateOrder ? { dateOrder: options.dateOrder } : {}),
    ...(options.map ? { map: options.map } : {}),
    ...(options.delimiter ? { delimiter: options.delimiter } : {}),
  });
  const { refunds, unmatchedLines } = planCancellations(parsed.orders, parsed.cancellations, fullUndo);
  log(`${options.file}: ${parsed.counts.lines.toLocaleString('en')} lines, ${parsed.counts.orders.toLocaleString('en')} invoices by ${parsed.counts.customers.toLocaleString('en')} customers`);

  const checkpointFile = options.checkpointFile ?? defaultCheckpointFile(options.file, shop.id);
  let checkpoint: Checkpoint = { file: options.file, batchesDone: 0, refundsDone: 0 };
  if (existsSync(checkpointFile)) {
    const saved = JSON.parse(readFileSync(checkpointFile, 'utf8')) as Checkpoint;
    if (saved.file === options.file) checkpoint = saved;
    if (checkpoint.batchesDone > 0) log(`resuming after ${checkpoint.batchesDone} batches (${checkpointFile})`);
  }
  const save = () => writeFileSync(checkpointFile, JSON.stringify(checkpoint));

  const report: ImportReport = {
    file: options.file,
    lines: parsed.counts.lines,
    guestLinesSkipped: parsed.counts.guestLines,
    nonPositiveLinesSkipped: parsed.counts.nonPositiveLines,
    cancellationLines: parsed.counts.cancellationLines,
    invoices: parsed.counts.orders,
    customers: parsed.counts.customers,
    created: 0,
    existing: 0,
    failed: 0,
    mergedLines: parsed.counts.mergedLines,
    cutInvoices: parsed.counts.cutInvoices,
    cutLines: parsed.counts.cutLines,
    cutUnits: parsed.counts.cutUnits,
    refunds: 0,
    cancellations: 0,
    fullUndo,
    unmatchedCancellationLines: unmatchedLines,
    failures: [],
    seconds: { read: lap(), orders: 0, refunds: 0 },
  };

  if (parsed.counts.cutInvoices > 0) {
    log(`${parsed.counts.cutInvoices} invoices have more than 500 distinct lines: ${parsed.counts.cutLines} lines (${parsed.counts.cutUnits} units) are left off their line items; their totals keep them`);
  }

  const size = options.batchSize ?? 100;
  const batches: ImportedOrder[][] = [];
  for (let i = 0; i < parsed.orders.length; i += size) batches.push(parsed.orders.slice(i, i + size));
  for (let b = 0; b < Math.min(checkpoint.batchesDone, batches.length); b++) report.existing += batches[b]!.length;
  let ordersSent = batches.slice(0, checkpoint.batchesDone).reduce((sum, batch) => sum + batch.length, 0);
  await inParallel(
    checkpoint.batchesDone,
    batches.length,
    concurrency,
    async (b) => {
      const result = (await options.send(BATCH, { input: { orders: batches[b] } })).orderRecordBatch;
      report.created += result.createdCount;
      report.existing += result.existingCount;
      report.failed += result.failedCount;
      for (const r of result.results) {
        for (const e of r.userErrors) report.failures.push({ orderId: r.orderId, message: `${e.code} ${e.field?.join('.') ?? ''}: ${e.message}` });
      }
      ordersSent += batches[b]!.length;
      progress('orders ', ordersSent, parsed.orders.length, 'orders');
    },
    (prefix) => {
      checkpoint.batchesDone = prefix;
      save();
    },
  );

  report.seconds.orders = lap();

  // Refunds and cancellations, 20 to a request as aliased mutations (the API's limit of root
  // fields per operation), each dated by its credit note.
  const chunk = 20;
  const chunks = Math.ceil(refunds.length / chunk);
  let refundsSent = checkpoint.refundsDone;
  await inParallel(
    Math.ceil(checkpoint.refundsDone / chunk),
    chunks,
    concurrency,
    async (k) => {
      const part = refunds.slice(k * chunk, (k + 1) * chunk);
      const fields = part.map((plan, j) => aliasFor(plan, j)).join('\n');
      const variables = Object.fromEntries(
        part.map((plan, j) => [`in${j}`, plan.cancel ? { orderId: plan.orderId, at: plan.at } : { orderId: plan.orderId, refundId: plan.refundId, amount: plan.amount, reason: 'cancellation invoice', at: plan.at }]),
      );
      const declarations = part.map((plan, j) => `$in${j}: ${plan.cancel ? 'OrderCancelInput!' : 'OrderRefundInput!'}`).join(', ');
      const data = await options.send(`mutation (${declarations}) {\n${fields}\n}`, variables);
      for (const [j, plan] of part.entries()) {
        const errors = data[`m${j}`].userErrors as Array<{ code: string; message: string }>;
        if (errors.length) report.failures.push({ orderId: plan.orderId, message: errors.map((e) => `${e.code}: ${e.message}`).join('; ') });
        else if (plan.cancel) report.cancellations += 1;
        else report.refunds += 1;
      }
      refundsSent += part.length;
      progress('refunds', refundsSent, refunds.length, 'refunds and cancellations');
    },
    (prefix) => {
      checkpoint.refundsDone = Math.min(refunds.length, prefix * chunk);
      save();
    },
  );
  report.seconds.refunds = lap();
  return report;
}

function aliasFor(plan: RefundPlan, j: number): string {
  return plan.cancel
    ? `m${j}: orderCancel(input: $in${j}) { userErrors { code message } }`
    : `m${j}: orderRefund(input: $in${j}) { userErrors { code message } }`;
}
