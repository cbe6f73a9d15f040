import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamo, tableName } from './client.js';

export interface TableHealth {
  ok: boolean;
  latencyMs: number;
}

/** A health check that hangs is as bad as one that fails: give up after this long. */
const timeoutMs = 2_000;

/**
 * Asks the table for one item that never exists: a data-plane read, the cheapest call that proves
 * the table answers the API's own requests (0.5 RCU, and no control-plane quota, unlike
 * DescribeTable). The key belongs to no tenant on purpose: it can never hold a shop's data.
 */
export async function checkTableHealth(): Promise<TableHealth> {
  const startedAt = performance.now();
  try {
    await dynamo().raw.send(
      new GetItemCommand({ TableName: tableName(), Key: { pk: { S: '$health' }, sk: { S: '$health' } }, ProjectionExpression: 'pk' }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    return { ok: true, latencyMs: Math.round(performance.now() - startedAt) };
  } catch (error) {
    // The reason stays in our logs: a health endpoint is public.
    console.error(JSON.stringify({ level: 'error', message: 'health check failed', error: String((error as Error)?.name ?? error) }));
    return { ok: false, latencyMs: Math.round(performance.now() - startedAt) };
  }
}
