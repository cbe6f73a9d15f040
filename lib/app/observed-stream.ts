import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { errorFields, logger, metricsEnabled, MetricUnit, newMetrics } from '../common/logger.js';
import { traced } from '../common/tracer.js';
import { newMeter, withMeter } from '../db/client.js';
import { isBehind, recordSyncBacklog, recordSyncProgress, type SyncStatus } from '../shops/index.js';

type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** Records handed to the inner handler at once, so progress can be recorded during a long batch. */
const chunkSize = 10;
/** At most one sync-status write per shop per container in this interval, unless behind ↔ caught up flips. */
const syncWriteIntervalMs = 5_000;

interface RecordInfo {
  tenantId: string | undefined;
  createdAtMs: number | undefined;
  sequenceNumber: string;
}

function infoOf(record: DynamoDBRecord): RecordInfo {
  const image = (record.dynamodb?.NewImage ?? record.dynamodb?.OldImage) as Record<string, AttributeValue> | undefined;
  const item = image ? unmarshall(image) : {};
  // The sync status item's own changes are not progress (and would feed back forever).
  const tenantId = item.__edb_e__ === 'shopsync' ? undefined : (item.tenantId as string | undefined);
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return { tenantId, createdAtMs: seconds === undefined ? undefined : seconds * 1000, sequenceNumber: record.dynamodb?.SequenceNumber ?? '' };
}

/**
 * Per container: the last sync status written per shop, to throttle the writes. A flip between
 * behind and caught up is always written, so the last word on a drained stream is "caught up".
 */
const lastWritten = new Map<string, { atMs: number; behind: boolean }>();

async function recordProgress(applied: RecordInfo[], notApplied: RecordInfo[], nowMs: number): Promise<void> {
  const newest = new Map<string, number>();
  for (const r of applied) {
    if (r.tenantId && r.createdAtMs !== undefined) newest.set(r.tenantId, Math.max(newest.get(r.tenantId) ?? 0, r.createdAtMs));
  }
  const pending = new Map<string, number>();
  for (const r of notApplied) if (r.tenantId) pending.set(r.tenantId, (pending.get(r.tenantId) ?? 0) + 1);
  for (const tenantId of new Set([...newest.keys(), ...pending.keys()])) {
    const newestMs = newest.get(tenantId);
    const pendingRecords = pending.get(tenantId) ?? 0;
    const last = lastWritten.get(tenantId);
    if (newestMs === undefined) {
      // Nothing of this shop applied yet in this batch, only records waiting: say so.
      if (last?.behind && nowMs - last.atMs < syncWriteIntervalMs) continue;
      await recordSyncBacklog(tenantId, pendingRecords);
      lastWritten.set(tenantId, { atMs: nowMs, behind: true });
      continue;
    }
    const status: SyncStatus = {
      newestRecordAt: new Date(newestMs).toISOString(),
      processedAt: new Date(nowMs).toISOString(),
      lagSeconds: Math.max(0, Math.round((nowMs - newestMs) / 100) / 10),
      pendingRecords,
    };
    const behind = isBehind(status);
    if (last && last.behind === behind && nowMs - last.atMs < syncWriteIntervalMs) continue;
    await recordSyncProgress(tenantId, status);
    lastWritten.set(tenantId, { atMs: nowMs, behind });
  }
}

/**
 * Wraps the stream handler: one log line, metric lines (records, failures, stream lag) and a trace
 * subsegment per batch, and the shops' sync status. The batch goes to the inner handler in order,
 * a few records at a time; at the first reported failure the rest is not delivered and the failure
 * is returned, exactly as if the inner handler had seen the whole batch and stopped there.
 */
export function observeStream(inner: StreamHandler, clock: () => number = Date.now) {
  return async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
    const started = performance.now();
    const meter = newMeter();
    if (context?.awsRequestId) logger.addContext(context);
    const records = event.Records;
    const infos = records.map(infoOf);
    const oldestMs = Math.min(...infos.map((i) => i.createdAtMs ?? Infinity));
    const lagSeconds = Number.isFinite(oldestMs) ? Math.max(0, (clock() - oldestMs) / 1000) : 0;
    let applied = records.length;
    let response: DynamoDBBatchResponse = { batchItemFailures: [] };
    await traced('## stream batch', async (annotate) => {
      annotate('operation', 'stream');
      await withMeter(meter, async () => {
        for (let i = 0; i < records.length; i += chunkSize) {
          const chunk = records.slice(i, i + chunkSize);
          const result = await inner({ Records: chunk });
          const failed = result.batchItemFailures[0]?.itemIdentifier;
          const appliedInChunk = failed === undefined ? chunk.length : Math.max(0, chunk.findIndex((r) => r.dynamodb?.SequenceNumber === failed));
          applied = i + appliedInChunk;
          try {
            await recordProgress(infos.slice(i, applied), infos.slice(applied), clock());
          } catch (error) {
            // Freshness is best effort: never fail (and so redeliver) a batch for it.
            logger.warn('sync status not recorded', { error: errorFields(error) });
          }
          if (failed !== undefined) {
            response = result;
            return;
          }
        }
      });
    });
    const failed = records.length - applied;
    const fields = {
      operation: 'stream',
      records: records.length,
      applied,
      failed,
      streamLagSeconds: Math.round(lagSeconds * 10) / 10,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      dynamodb: { requests: meter.requests, readCapacity: meter.readCapacity, writeCapacity: meter.writeCapacity, byCommand: meter.byCommand },
      ...(failed > 0 ? { failedSequenceNumber: infos[applied]?.sequenceNumber } : {}),
    };
    if (failed > 0) logger.warn('stream batch stopped at a failed record', fields);
    else logger.info('stream batch', fields);
    if (metricsEnabled() && records.length > 0) {
      const metrics = newMetrics();
      metrics.addDimension('operation', 'stream');
      metrics.addMetric('StreamRecords', MetricUnit.Count, applied);
      metrics.addMetric('StreamRecordsFailed', MetricUnit.Count, failed);
      metrics.addMetric('StreamLag', MetricUnit.Seconds, lagSeconds);
      metrics.addMetric('Latency', MetricUnit.Milliseconds, fields.durationMs);
      metrics.addMetric('DynamoDBRequests', MetricUnit.Count, meter.requests);
      metrics.addMetric('ConsumedWriteCapacity', MetricUnit.Count, meter.writeCapacity);
      metrics.publishStoredMetrics();
    }
    return response;
  };
}
