import { mkdirSync, writeFileSync } from 'node:fs';
import { DynamoDBStreamsClient, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { newMeter, withMeter, dynamo, ensureTable } from '../lib/db/client.js';
import { startDynamoDbLocal } from './local/dynamodb-local.js';

/**
 * `npm run bench` (purchases part): what the bright-spot / replenishment projection costs per
 * applied order record, for small orders (3 lines) and large ones (40 lines): DynamoDB requests
 * and the stream records it writes. On a fresh DynamoDB Local (it keeps every stream record and
 * slows each later write with them). Writes bench-results/purchases.{json,md}.
 */
const ORDERS = Number(process.env.BENCH_ORDERS ?? 100);

async function streamRecordCount(endpoint: string, table: string): Promise<number> {
  const streams = new DynamoDBStreamsClient({ endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const arn = (await dynamo().raw.send(new DescribeTableCommand({ TableName: table }))).Table!.LatestStreamArn!;
  const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!.Shards ?? [];
  let count = 0;
  for (const shard of shards) {
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      count += page.Records?.length ?? 0;
      if (!page.Records?.length) break;
      iterator = page.NextShardIterator;
    }
  }
  return count;
}

async function main() {
  const figures: Array<{ linesPerOrder: number; orders: number; requestsPerOrder: number; streamRecordsPerOrder: number; msPerOrder: number; commands: Record<string, number> }> = [];
  for (const linesPerOrder of [3, 40]) {
    const local = await startDynamoDbLocal({ quiet: true });
    try {
      process.env.DYNAMODB_ENDPOINT = local.endpoint;
      process.env.TABLE_NAME = 'bench-purchases';
      const { resetDynamo } = await import('../lib/db/client.js');
      resetDynamo();
      await ensureTable(dynamo().raw, 'bench-purchases');
      const { applyOrderToPurchases } = await import('../lib/metrics/metrics.purchases.js');
      const before = await streamRecordCount(local.endpoint, 'bench-purchases');
      const meter = newMeter();
      const started = performance.now();
      for (let o = 0; o < ORDERS; o += 1) {
        const lineItems = Array.from({ length: linesPerOrder }, (_, l) => ({ productId: `p${(o * 7 + l) % 500}`, category: `c${l % 4}`, quantity: 1 + (l % 3), unitPrice: 500 }));
        const image = { tenantId: 'bench', orderId: `o${o}`, customerId: `c${o % 40}`, version: 1, status: 'PLACED', placedAt: new Date(Date.UTC(2026, 0, 1 + (o % 60))).toISOString(), lineItems };
        await withMeter(meter, () => applyOrderToPurchases(image));
      }
      const ms = performance.now() - started;
      const records = (await streamRecordCount(local.endpoint, 'bench-purchases')) - before;
      figures.push({ linesPerOrder, orders: ORDERS, requestsPerOrder: meter.requests / ORDERS, streamRecordsPerOrder: records / ORDERS, msPerOrder: ms / ORDERS, commands: meter.byCommand });
    } finally {
      await local.stop();
    }
  }
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/purchases.json', `${JSON.stringify(figures, null, 2)}\n`);
  const md = [
    '# Purchases projection, per applied order record (fresh DynamoDB Local per row)',
    '',
    '| lines per order | orders | DynamoDB requests | stream records | ms (local) | commands |',
    '| --- | --- | --- | --- | --- | --- |',
    ...figures.map((f) => `| ${f.linesPerOrder} | ${f.orders} | ${f.requestsPerOrder.toFixed(2)} | ${f.streamRecordsPerOrder.toFixed(2)} | ${f.msPerOrder.toFixed(1)} | ${JSON.stringify(f.commands)} |`),
    '',
  ].join('\n');
  writeFileSync('bench-results/purchases.md', md);
  console.log(md);
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
