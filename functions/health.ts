import '../lib/app/entities.js';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { checkTableHealth } from '../lib/db/health.js';

/** `GET /health`: 200 when the table answers, 503 when it does not (also served by `npm run dev`). */
export async function handler(): Promise<APIGatewayProxyStructuredResultV2> {
  const health = await checkTableHealth();
  return {
    statusCode: health.ok ? 200 : 503,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ status: health.ok ? 'ok' : 'unavailable', table: health.ok ? 'answering' : 'not answering', latencyMs: health.latencyMs }),
  };
}
