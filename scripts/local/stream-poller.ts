import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue as SdkAttributeValue,
  type _Record as SdkStreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  AttributeValue as LambdaAttributeValue,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface StreamPollerOptions {
  endpoint: string;
  tableName: string;
  handler: StreamHandler;
  /** Background polling period; 0 turns the timer off so only `drain()` delivers. Default 500. */
  intervalMs?: number;
  /** Most records per handler call. Default 100. */
  batchSize?: number;
  /**
   * Failed deliveries of one record before its batch is bisected (halved on each further failure);
   * when it fails again alone it is skipped. Default 5.
   */
  maxRetries?: number;
  /** Receives polling faults and every skipped record (as a {@link StreamRecordSkippedError}). */
  onError?: (error: unknown) => void;
  /** Region reported in `awsRegion`. Default `AWS_REGION` or us-east-1. */
  region?: string;
}

export interface StreamPoller {
  /** Stops the timer and waits for a delivery in flight; safe to call more than once. */
  stop(): Promise<void>;
  /**
   * Polls until a full pass over every shard finds no new record, and resolves with the number of
   * records the handler acknowledged meanwhile. A shard whose batch fails is not retried until the
   * next drain (or timer tick), so a test sees each retry as one more `drain()`.
   */
  drain(): Promise<number>;
}

/** Handed to `onError` when a record failed past the retry budget and was dropped. */
export class StreamRecordSkippedError extends Error {
  constructor(
    readonly record: DynamoDBRecord,
    readonly failedDeliveries: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Skipped stream record ${record.dynamodb?.SequenceNumber ?? '?'} (${record.eventName ?? '?'}) ` +
        `after ${failedDeliveries} failed deliveries`,
      options,
    );
    this.name = 'StreamRecordSkippedError';
  }
}

/**
 * Given a record from the DynamoDB Streams API, returns it as a Lambda DynamoDB Streams trigger
 * delivers it: epoch-seconds creation time, images in wire-format AttributeValue JSON (binary as
 * base64), event source and ARN filled in.
 */
export function toLambdaRecord(record: SdkStreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const source = record.dynamodb ?? {};
  const dynamodb: NonNullable<DynamoDBRecord['dynamodb']> = {};
  if (source.ApproximateCreationDateTime !== undefined) {
    dynamodb.ApproximateCreationDateTime = Math.floor(source.ApproximateCreationDateTime.getTime() / 1000);
  }
  if (source.Keys) dynamodb.Keys = toWireImage(source.Keys);
  if (source.NewImage) dynamodb.NewImage = toWireImage(source.NewImage);
  if (source.OldImage) dynamodb.OldImage = toWireImage(source.OldImage);
  if (source.SequenceNumber !== undefined) dynamodb.SequenceNumber = source.SequenceNumber;
  if (source.SizeBytes !== undefined) dynamodb.SizeBytes = source.SizeBytes;
  if (source.StreamViewType !== undefined) dynamodb.StreamViewType = source.StreamViewType;

  const lambdaRecord: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb,
    eventSourceARN: streamArn,
  };
  // Present only for service-made changes, e.g. TTL expiry deletes.
  if (record.userIdentity) {
    lambdaRecord.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  }
  return lambdaRecord;
}

function toWireImage(image: Record<string, SdkAttributeValue>): Record<string, LambdaAttributeValue> {
  const wire: Record<string, LambdaAttributeValue> = {};
  for (const [name, value] of Object.entries(image)) wire[name] = toWireValue(value);
  return wire;
}

function toWireValue(value: SdkAttributeValue): LambdaAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toWireValue) };
  if (value.M !== undefined) return { M: toWireImage(value.M) };
  // The streams client hands an empty map over as a bare `{}`; Lambda receives `{ M: {} }`.
  if (Object.keys(value).length === 0) return { M: {} };
  throw new Error(`Unknown AttributeValue type: ${JSON.stringify(value)}`);
}

interface ShardState {
  shardId: string;
  parentShardId: string | undefined;
  iterator: string | undefined;
  /** Set once GetRecords returned no next iterator: the shard is closed and fully read. */
  exhausted: boolean;
  lastFetchedSequence: string | undefined;
  /** Fetched, not yet acknowledged, in stream order. */
  pending: DynamoDBRecord[];
  /** Consecutive failed deliveries of `pending[0]`. */
  headFailures: number;
  /** Below `batchSize` while bisecting around a record that keeps failing. */
  batchLimit: number;
}

interface PassResult {
  fetched: number;
  acknowledged: number;
}

/**
 * Given a table with a stream, feeds its records to a DynamoDB Streams Lambda handler the way the
 * Lambda event source mapping does (ReportBatchItemFailures on, BisectBatchOnFunctionError on,
 * bounded retries): shards from TRIM_HORIZON, parents before children, each shard in order,
 * batches of at most `batchSize`. A failed batch is re-delivered from its first failed record; a
 * thrown error fails the whole batch. After `maxRetries` failed deliveries of one record its batch
 * is bisected down to that record, which is then skipped and reported to `onError` if it fails
 * again: a poison pill costs a bounded number of retries and never blocks the shard for good.
 */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const clientConfig = {
    endpoint: options.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const batchSize = Math.max(1, options.batchSize ?? 100);
  const maxRetries = Math.max(0, options.maxRetries ?? 5);
  const intervalMs = options.intervalMs ?? 500;
  const onError =
    options.onError ??
    ((error: unknown) => process.stderr.write(`[stream-poller] ${error instanceof Error ? error.message : String(error)}\n`));

  const streamArn = await latestStreamArn(clientConfig, options.tableName);
  const streams = new DynamoDBStreamsClient(clientConfig);
  const shards = new Map<string, ShardState>();

  async function refreshShards(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      for (const shard of StreamDescription?.Shards ?? []) track(shard);
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  }

  function track(shard: Shard): void {
    if (!shard.ShardId || shards.has(shard.ShardId)) return;
    shards.set(shard.ShardId, {
      shardId: shard.ShardId,
      parentShardId: shard.ParentShardId,
      iterator: undefined,
      exhausted: false,
      lastFetchedSequence: undefined,
      pending: [],
      headFailures: 0,
      batchLimit: batchSize,
    });
  }

  function isFinished(shard: ShardState): boolean {
    return shard.exhausted && shard.pending.length === 0;
  }

  function isReady(shard: ShardState): boolean {
    // A parent that has aged out of DescribeStream has nothing left to deliver before its child.
    const parent = shard.parentShardId ? shards.get(shard.parentShardId) : undefined;
    return !isFinished(shard) && (parent === undefined || isFinished(parent));
  }

  async function fetch(shard: ShardState): Promise<number> {
    if (shard.exhausted) return 0;
    shard.iterator ??= await newIterator(shard);
    if (!shard.iterator) {
      shard.exhausted = true;
      return 0;
    }
    let response;
    try {
      response = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'ExpiredIteratorException') throw error;
      shard.iterator = await newIterator(shard);
      response = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
    }
    const records = response.Records ?? [];
    for (const record of records) shard.pending.push(toLambdaRecord(record, streamArn, region));
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) shard.lastFetchedSequence = last;
    shard.iterator = response.NextShardIterator;
    if (!shard.iterator) shard.exhausted = true;
    return records.length;
  }

  async function newIterator(shard: ShardState): Promise<string | undefined> {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.shardId,
        ...(shard.lastFetchedSequence
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastFetchedSequence }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator;
  }

  /** Delivers one batch from the head of the shard and settles what the handler reported. */
  async function deliverBatch(shard: ShardState): Promise<{ acknowledged: number; failed: boolean }> {
    const batch = shard.pending.slice(0, shard.batchLimit);
    let failedAt: number;
    let cause: unknown;
    try {
      const response = await options.handler({ Records: batch });
      failedAt = firstFailure(batch, response);
      if (failedAt !== -1) {
        cause = new Error(`Handler reported ${batch[failedAt]?.dynamodb?.SequenceNumber ?? '?'} as failed`);
      }
    } catch (error) {
      failedAt = 0;
      cause = error;
    }

    if (failedAt === -1) {
      shard.pending.splice(0, batch.length);
      resetHead(shard);
      return { acknowledged: batch.length, failed: false };
    }

    shard.pending.splice(0, failedAt);
    if (failedAt > 0) resetHead(shard);
    shard.headFailures += 1;
    if (shard.headFailures >= maxRetries) {
      const remaining = batch.length - failedAt;
      if (remaining > 1) {
        // Halve until the failing record stands alone, so a thrown error cannot take innocent
        // neighbours down with it; every success in between restores full batches.
        shard.batchLimit = Math.ceil(remaining / 2);
      } else {
        const skipped = shard.pending.shift();
        if (skipped) onError(new StreamRecordSkippedError(skipped, shard.headFailures, { cause }));
        resetHead(shard);
        // The shard is unblocked: what follows the skipped record may go out at once.
        return { acknowledged: failedAt, failed: false };
      }
    }
    return { acknowledged: failedAt, failed: true };
  }

  function resetHead(shard: ShardState): void {
    shard.headFailures = 0;
    shard.batchLimit = batchSize;
  }

  /** One visit to every ready shard; shards in `blocked` failed earlier in this drain and wait. */
  async function pass(blocked: Set<string>): Promise<PassResult> {
    await refreshShards();
    const result: PassResult = { fetched: 0, acknowledged: 0 };
    // Children become ready as their parents finish within this same pass.
    let progressed = true;
    const visited = new Set<string>();
    while (progressed) {
      progressed = false;
      for (const shard of shards.values()) {
        if (visited.has(shard.shardId) || blocked.has(shard.shardId) || !isReady(shard)) continue;
        visited.add(shard.shardId);
        progressed = true;
        for (;;) {
          if (shard.pending.length < batchSize) result.fetched += await fetch(shard);
          if (shard.pending.length === 0) break;
          const outcome = await deliverBatch(shard);
          result.acknowledged += outcome.acknowledged;
          if (outcome.failed) {
            blocked.add(shard.shardId);
            break;
          }
        }
      }
    }
    return result;
  }

  let queue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  function schedule(): void {
    if (stopped || intervalMs <= 0) return;
    timer = setTimeout(() => {
      exclusive(() => pass(new Set()))
        .catch(onError)
        .finally(schedule);
    }, intervalMs);
  }
  schedule();

  let stopping: Promise<void> | undefined;
  return {
    drain: () =>
      exclusive(async () => {
        const blocked = new Set<string>();
        let acknowledged = 0;
        for (;;) {
          const result = await pass(blocked);
          acknowledged += result.acknowledged;
          if (result.fetched === 0 && result.acknowledged === 0) return acknowledged;
        }
      }),
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        await exclusive(async () => undefined);
        streams.destroy();
      })();
      return stopping;
    },
  };
}

/** Index of the first record the handler reported as failed, -1 when all succeeded. */
function firstFailure(batch: DynamoDBRecord[], response: DynamoDBBatchResponse | void): number {
  const failures = response?.batchItemFailures ?? [];
  let first = -1;
  for (const { itemIdentifier } of failures) {
    const index = batch.findIndex((r) => r.dynamodb?.SequenceNumber === itemIdentifier);
    // Lambda treats an identifier it cannot match as a failure of the whole batch.
    if (index === -1) return 0;
    if (first === -1 || index < first) first = index;
  }
  return first;
}

async function latestStreamArn(
  config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } },
  tableName: string,
): Promise<string> {
  const client = new DynamoDBClient(config);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn) throw new Error(`Table ${tableName} has no stream enabled`);
    return Table.LatestStreamArn;
  } finally {
    client.destroy();
  }
}
