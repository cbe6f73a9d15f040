import { AsyncLocalStorage } from 'node:async_hooks';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../common/tracer.js';
import { createTableInput, tableDefinition } from './table.js';

/**
 * Per-operation DynamoDB metering. The bench (and anyone curious) runs an operation inside
 * `meter.run(...)` and reads how many requests it made and what capacity they consumed.
 */
export interface DbMeter {
  requests: number;
  readCapacity: number;
  writeCapacity: number;
  byCommand: Record<string, number>;
}

// A meter and the meters it runs inside (a request's meter inside the bench's): each counts.
const meterStorage = new AsyncLocalStorage<DbMeter[]>();

export function newMeter(): DbMeter {
  return { requests: 0, readCapacity: 0, writeCapacity: 0, byCommand: {} };
}

/** Runs fn with a meter that counts every DynamoDB request made on its behalf. */
export function withMeter<T>(meter: DbMeter, fn: () => Promise<T>): Promise<T> {
  return meterStorage.run([meter, ...(meterStorage.getStore() ?? [])], fn);
}

export function tableName(): string {
  return process.env.TABLE_NAME ?? 'retention';
}

let shared: { raw: DynamoDBClient; doc: DynamoDBDocumentClient } | undefined;

/**
 * Given the process environment, returns the DynamoDB clients (created once per Lambda container).
 * `DYNAMODB_ENDPOINT` points them at DynamoDB Local or any other compatible endpoint.
 */
export function dynamo(): { raw: DynamoDBClient; doc: DynamoDBDocumentClient } {
  if (!shared) {
    const endpoint = process.env.DYNAMODB_ENDPOINT;
    const raw = new DynamoDBClient({
      region: process.env.AWS_REGION ?? 'us-east-1',
      ...(endpoint
        ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
      maxAttempts: 5,
    });
    attachMeter(raw);
    // X-Ray subsegments for every DynamoDB call (a no-op outside Lambda).
    tracer.captureAWSv3Client(raw);
    shared = { raw, doc: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }) };
  }
  return shared;
}

/** Forgets the shared clients (tests that switch endpoints or tables). */
export function resetDynamo(): void {
  shared?.raw.destroy();
  shared = undefined;
}

function attachMeter(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const meters = meterStorage.getStore();
      if (!meters) return next(args);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const command = context.commandName ?? 'unknown';
      let read = 0;
      let write = 0;
      const output = result.output as { ConsumedCapacity?: unknown };
      const consumed = Array.isArray(output.ConsumedCapacity) ? output.ConsumedCapacity : output.ConsumedCapacity ? [output.ConsumedCapacity] : [];
      for (const c of consumed as Array<{ CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number }>) {
        if (c.ReadCapacityUnits || c.WriteCapacityUnits) {
          read += c.ReadCapacityUnits ?? 0;
          write += c.WriteCapacityUnits ?? 0;
        } else if (/Put|Update|Delete|Write/.test(command)) {
          write += c.CapacityUnits ?? 0;
        } else {
          read += c.CapacityUnits ?? 0;
        }
      }
      for (const meter of meters) {
        meter.requests += 1;
        meter.byCommand[command] = (meter.byCommand[command] ?? 0) + 1;
        meter.readCapacity += read;
        meter.writeCapacity += write;
      }
      return result;
    },
    { step: 'initialize', name: 'retentionMeter' },
  );
}

/** Creates the table (and its TTL setting) if it does not exist yet; used locally and in tests. */
export async function ensureTable(client: DynamoDBClient, name: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(name)));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    return;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: name });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
    }),
  );
}
