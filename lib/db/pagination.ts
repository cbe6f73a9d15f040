import { keyAttributes, tableDefinition, type IndexName } from './table.js';

export interface Page<T> {
  items: T[];
  /** The data layer's cursor after each item (Relay wants one per edge). */
  cursors: string[];
  hasNextPage: boolean;
}

/**
 * Given query results fetched with ElectroDB's `data: 'includeKeys'`, returns the items without
 * their key attributes and, for each, the cursor that resumes right after it (ElectroDB's own
 * format: the base64url JSON of DynamoDB's LastEvaluatedKey).
 */
export function pageFromKeyedItems<T>(keyed: Array<Record<string, unknown>>, index: IndexName | null, nextCursor: string | null): Page<T> {
  const fields: string[] = [tableDefinition.partitionKey, tableDefinition.sortKey];
  if (index) fields.push(tableDefinition.globalIndexes[index].partitionKey, tableDefinition.globalIndexes[index].sortKey);
  const allKeys = new Set(keyAttributes());
  const items: T[] = [];
  const cursors: string[] = [];
  for (const row of keyed) {
    const lastKey = Object.fromEntries(fields.map((field) => [field, row[field]]));
    cursors.push(Buffer.from(JSON.stringify(lastKey)).toString('base64url'));
    items.push(Object.fromEntries(Object.entries(row).filter(([key]) => !allKeys.has(key))) as T);
  }
  return { items, cursors, hasNextPage: nextCursor !== null };
}
