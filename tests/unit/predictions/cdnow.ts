import { readFileSync } from 'node:fs';
import type { Purchase } from '../../../lib/predictions/summary.js';

/** The paper's 39-week calibration period ends on this day (inclusive); the holdout ends 1998-06-30. */
export const CDNOW_CALIBRATION_END = new Date(Date.UTC(1997, 8, 30));
export const CDNOW_HOLDOUT_END = new Date(Date.UTC(1998, 5, 30));

/**
 * Given the path of CDNOW_sample.txt, returns each sample customer's purchases keyed by sample id,
 * at midnight UTC of their date, with the dollar amounts in cents.
 */
export function loadCdnowSample(file: string): Map<number, Purchase[]> {
  const customers = new Map<number, Purchase[]>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const [, sampleId, date, , dollars] = fields as [string, string, string, string, string];
    const at = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
    const purchase = { at, amount: Math.round(Number(dollars) * 100) };
    const id = Number(sampleId);
    const purchases = customers.get(id);
    if (purchases) purchases.push(purchase);
    else customers.set(id, [purchase]);
  }
  return customers;
}

export interface PublishedSummary {
  id: number;
  x: number;
  tx: number;
  T: number;
}

/** Given the path of cdnow_customers_summary.csv, returns its rows (t_x and T rounded to 0.01 week). */
export function loadCdnowSummaries(file: string): PublishedSummary[] {
  const [, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [id, x, tx, T] = line.split(',').map(Number) as [number, number, number, number];
    return { id, x, tx, T };
  });
}
