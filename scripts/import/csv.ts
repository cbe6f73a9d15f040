import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';

/** One data row of a CSV file: its fields by header name, and the file line it ends on (1-based, header = 1). */
export interface CsvRow {
  line: number;
  fields: Record<string, string>;
}

/** A row the importer cannot read, with the line to look at. */
export class UnreadableRowError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

function open(file: string): Readable {
  const raw = createReadStream(file);
  return file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
}

/**
 * The header line decides the separator: spreadsheets in comma-decimal locales write `;`, some
 * tools a tab. Whichever of the three the header holds most of (comma on a tie).
 */
export async function sniffDelimiter(file: string): Promise<string> {
  let head = '';
  for await (const chunk of open(file)) {
    head += String(chunk);
    if (head.includes('\n') || head.length > 65_536) break;
  }
  const header = head.split(/\r?\n/)[0] ?? '';
  const counts = [',', ';', '\t'].map((d) => ({ d, n: header.split(d).length - 1 }));
  return counts.reduce((best, c) => (c.n > best.n ? c : best)).d;
}

/**
 * Streams the rows of a CSV file (gzip when it ends in .gz) with csv-parse: RFC 4180 quoting
 * (quoted separators, doubled quotes and line breaks inside a field), a UTF-8 byte order mark,
 * `,`, `;` or tab separators (from the header, or `delimiter`). Empty lines are skipped; a row
 * with fewer fields than the header gets '' for the rest. A malformed row throws
 * UnreadableRowError with its line.
 */
export async function* readCsv(file: string, options: { delimiter?: string } = {}): AsyncGenerator<CsvRow> {
  const delimiter = options.delimiter ?? (await sniffDelimiter(file));
  let names: string[] = [];
  const parser = open(file).pipe(
    parse({
      bom: true,
      delimiter,
      columns: (header: string[]) => (names = header.map((name) => name.trim())),
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string | undefined>; info: { lines: number } }>) {
      const fields: Record<string, string> = {};
      for (const name of names) fields[name] = record[name] ?? '';
      yield { line: info.lines, fields };
    }
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    if (typeof line === 'number') throw new UnreadableRowError(line, (error as Error).message);
    throw error;
  }
}
