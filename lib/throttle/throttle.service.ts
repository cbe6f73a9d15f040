import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamo, tableName } from '../db/client.js';
import { throttleBucketKey } from './throttle.entities.js';
import type { ThrottlePlan } from './plans.js';

export interface ThrottleDecision {
  allowed: boolean;
  /** Points left in the bucket after this request (before it, when refused). */
  available: number;
  /** When refused: milliseconds until the bucket holds the request's cost. */
  retryAfterMs: number;
}

const identity = { __edb_e__: 'throttlebucket', __edb_v__: '1' };
const dayMs = 86_400_000;

function isConditionFailure(error: unknown): error is { name: string; Item?: Parameters<typeof unmarshall>[0] } {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/**
 * Given a bucket, a cost (at most the bucket's size), the shop's plan and the instant, takes `cost` points from the bucket
 * when it holds them, and says what is left or when to retry. The bucket's state is one number,
 * `tat`: the instant it is full again. Points available at `now` are
 * `bucketSize - (tat - now) x rate`, so a request fits when `max(tat, now) + cost / rate` stays
 * within `now + bucketSize / rate`. DynamoDB cannot take that max, so one of two conditional
 * updates applies, each true only in its own case:
 *   - a draining bucket (`now < tat <= limit`): `tat = tat + cost / rate`;
 *   - a full bucket (`tat <= now` or none yet): `tat = now + cost / rate`.
 * The first is tried first; a failed condition returns the stored `tat`, which says whether the
 * bucket is full (try the second) or too empty (refuse, nothing written). 1 request when busy or
 * refused, 2 when the bucket has filled since the last request.
 */
export async function takeFromBucket(args: { tenantId: string; bucketKey: string; cost: number; plan: ThrottlePlan; now: Date }, attempt = 0): Promise<ThrottleDecision> {
  const { plan, cost } = args;
  const now = args.now.getTime();
  const msPerPoint = 1000 / plan.restorePerSecond;
  const increment = Math.ceil(cost * msPerPoint);
  const limit = now + Math.floor((plan.bucketSize - cost) * msPerPoint);
  const availableAt = (tat: number) => Math.max(0, Math.floor(plan.bucketSize - Math.max(0, tat - now) / msPerPoint));
  const Key = throttleBucketKey(args.tenantId, args.bucketKey);
  const ttlFor = (tat: number) => Math.ceil((tat + dayMs) / 1000);

  let stored: number | undefined;
  try {
    const out = await dynamo().doc.send(
      new UpdateCommand({
        TableName: tableName(),
        Key,
        UpdateExpression: 'SET #tat = #tat + :inc, #ttl = :ttl',
        ConditionExpression: '#tat > :now AND #tat <= :limit',
        ExpressionAttributeNames: { '#tat': 'tat', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':inc': increment, ':now': now, ':limit': limit, ':ttl': ttlFor(limit + increment) },
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { allowed: true, available: availableAt(Number(out.Attributes?.tat)), retryAfterMs: 0 };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // The SDK hands back the old item as DynamoDB wrote it, not unmarshalled.
    const old = error.Item ? unmarshall(error.Item) : undefined;
    stored = typeof old?.tat === 'number' ? old.tat : undefined;
  }
  if (stored !== undefined && stored > now) {
    return { allowed: false, available: availableAt(stored), retryAfterMs: Math.max(1, stored - limit) };
  }
  try {
    await dynamo().doc.send(
      new UpdateCommand({
        TableName: tableName(),
        Key,
        UpdateExpression: 'SET #tat = :tat, #ttl = :ttl, #e = :e, #v = :v, #tenant = :tenant, #bucket = :bucket',
        ConditionExpression: 'attribute_not_exists(#tat) OR #tat <= :now',
        ExpressionAttributeNames: { '#tat': 'tat', '#ttl': 'ttl', '#e': '__edb_e__', '#v': '__edb_v__', '#tenant': 'tenantId', '#bucket': 'bucketKey' },
        ExpressionAttributeValues: {
          ':tat': now + increment,
          ':now': now,
          ':ttl': ttlFor(now + increment),
          ':e': identity.__edb_e__,
          ':v': identity.__edb_v__,
          ':tenant': args.tenantId,
          ':bucket': args.bucketKey,
        },
      }),
    );
    return { allowed: true, available: availableAt(now + increment), retryAfterMs: 0 };
  } catch (error) {
    // Another container took from the full bucket between our two updates: take the draining path.
    if (!isConditionFailure(error) || attempt >= 3) throw error;
    return takeFromBucket(args, attempt + 1);
  }
}
