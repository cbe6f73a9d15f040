import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from './client.js';
import { backoff } from './transactions.js';

const maxAttempts = 30;

/** Deletes every item of one partition (batch deletes, unprocessed ones retried); returns how many. */
export async function deletePartition(pk: string): Promise<number> {
  let deleted = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().doc.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: '#pk, #sk',
        ExclusiveStartKey: start,
      }),
    );
    const keys = (page.Items ?? []) as Array<Record<string, string>>;
    for (let i = 0; i < keys.length; i += 25) {
      let requests = keys.slice(i, i + 25).map((key) => ({ DeleteRequest: { Key: key } }));
      for (let attempt = 0; requests.length > 0 && attempt < maxAttempts; attempt += 1) {
        if (attempt > 0) await backoff(Math.min(attempt, 5));
        const result = await dynamo().doc.send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
        requests = (result.UnprocessedItems?.[tableName()] ?? []) as typeof requests;
      }
      if (requests.length > 0) throw new Error(`could not delete the items of ${pk}`);
    }
    deleted += keys.length;
    start = page.LastEvaluatedKey;
  } while (start);
  return deleted;
}
