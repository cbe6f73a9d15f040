/// <reference path="../../.sst/platform/config.d.ts" />
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyAttributes, tableDefinition } from '../../lib/db/table.js';

/**
 * `sst deploy` cannot run here (no AWS account), so the config runs against stand-in SST globals
 * that record what it declares. The stand-ins take SST's own argument types (from the platform
 * sources in .sst/platform, type-checked by tsconfig.sst.json), so the checks below read SST's
 * real field names, and sst.config.ts itself is type-checked against the real components.
 */
type Transform<T> = Partial<T> | ((args: T, opts: never, name: string) => undefined);

interface Declared {
  dynamo: Array<{ name: string; args: sst.aws.DynamoArgs }>;
  routes: Array<{ route: string; handler: sst.aws.FunctionArgs }>;
  subscriptions: Array<{ name: string; fn: sst.aws.FunctionArgs; args: sst.aws.DynamoSubscriberArgs }>;
  secrets: string[];
  queues: Array<{ name: string; args: sst.aws.QueueArgs | undefined }>;
  queueSubscribers: Array<{ queue: string; fn: sst.aws.FunctionArgs; args: sst.aws.QueueSubscriberArgs | undefined }>;
  topics: string[];
  crons: Array<{ name: string; args: sst.aws.CronV2Args }>;
  alarms: Array<{ name: string; args: aws.cloudwatch.MetricAlarmArgs }>;
  api?: sst.aws.ApiGatewayV2Args;
  sites: Array<{ name: string; args: sst.aws.StaticSiteArgs }>;
  kmsKeys: Array<{ name: string; args: aws.kms.KeyArgs | undefined }>;
}

/** Locally every Input is a plain value: unwraps SST's `Input<T>` (and object Transforms). */
function plain<T>(value: $util.Input<T> | Transform<T> | undefined): T {
  if (typeof value === 'function') throw new Error('expected an object, got a transform function');
  return value as T;
}

function standInGlobals(): Declared {
  const declared: Declared = { dynamo: [], routes: [], subscriptions: [], secrets: [], queues: [], queueSubscribers: [], topics: [], crons: [], alarms: [], sites: [], kmsKeys: [] };
  const g = globalThis as any;
  g.$config = (config: unknown) => config;
  g.$app = { name: 'retention-api', stage: 'test' };
  g.sst = {
    Secret: class {
      value: string;
      constructor(name: string) {
        declared.secrets.push(name);
        this.value = `secret:${name}`;
      }
    },
    aws: {
      Dynamo: class {
        name = 'table-name';
        constructor(name: string, args: sst.aws.DynamoArgs) {
          declared.dynamo.push({ name, args });
        }
        subscribe(name: string, fn: sst.aws.FunctionArgs, args: sst.aws.DynamoSubscriberArgs) {
          declared.subscriptions.push({ name, fn, args });
          const subscriber = { nodes: { function: { name: `${name}-function` } } };
          return { apply: <U>(f: (s: typeof subscriber) => U) => f(subscriber) };
        }
      },
      Queue: class {
        arn: string;
        url: string;
        nodes: { queue: { name: string } };
        constructor(name: string, args?: sst.aws.QueueArgs) {
          declared.queues.push({ name, args });
          this.arn = `arn:queue:${name}`;
          this.url = `https://sqs/${name}`;
          this.nodes = { queue: { name: `queue-${name}` } };
        }
        subscribe(fn: sst.aws.FunctionArgs, args?: sst.aws.QueueSubscriberArgs) {
          declared.queueSubscribers.push({ queue: this.url, fn, args });
        }
      },
      SnsTopic: class {
        arn: string;
        constructor(name: string) {
          declared.topics.push(name);
          this.arn = `arn:topic:${name}`;
        }
      },
      ApiGatewayV2: class {
        url = 'https://api.example';
        constructor(_name: string, args?: sst.aws.ApiGatewayV2Args) {
          declared.api = args;
        }
        route(route: string, handler: sst.aws.FunctionArgs) {
          declared.routes.push({ route, handler });
        }
      },
      StaticSite: class {
        url = 'https://console.example';
        constructor(name: string, args: sst.aws.StaticSiteArgs) {
          declared.sites.push({ name, args });
        }
      },
      CronV2: class {
        constructor(name: string, args: sst.aws.CronV2Args) {
          declared.crons.push({ name, args });
        }
      },
    },
  };
  g.aws = {
    kms: {
      Key: class {
        arn: string;
        constructor(name: string, args?: aws.kms.KeyArgs) {
          declared.kmsKeys.push({ name, args });
          this.arn = `arn:aws:kms:eu-central-1:000000000000:key/${name}`;
        }
      },
    },
    cloudwatch: {
      MetricAlarm: class {
        constructor(name: string, args: aws.cloudwatch.MetricAlarmArgs) {
          declared.alarms.push({ name, args });
        }
      },
    },
  };
  return declared;
}

async function handlerExists(handler: string): Promise<boolean> {
  const [file, exported] = handler.split('.');
  if (!existsSync(`${file}.ts`)) return false;
  const module = await import(/* @vite-ignore */ new URL(`../../${file}.ts`, import.meta.url).href);
  return typeof module[exported!] === 'function';
}

describe('sst.config.ts', () => {
  let declared: Declared;
  let config: any;
  beforeAll(async () => {
    declared = standInGlobals();
    config = (await import('../../sst.config.js')).default;
    await config.run();
  });

  it('retains and protects production data, removes other stages', () => {
    expect(config.app({ stage: 'production' })).toMatchObject({ name: 'retention-api', home: 'aws', removal: 'retain', protect: true });
    expect(config.app({ stage: 'dev' })).toMatchObject({ removal: 'remove', protect: false });
  });

  it('declares exactly the shared table definition', () => {
    expect(declared.dynamo).toHaveLength(1);
    const { args } = declared.dynamo[0]!;
    const fields = plain(args.fields);
    expect(Object.keys(fields).sort()).toEqual(keyAttributes().sort());
    expect(Object.values(fields).every((type) => type === 'string')).toBe(true);
    expect(args.primaryIndex).toEqual({ hashKey: tableDefinition.partitionKey, rangeKey: tableDefinition.sortKey });
    expect(args.globalIndexes).toEqual(
      Object.fromEntries(Object.entries(tableDefinition.globalIndexes).map(([n, i]) => [n, { hashKey: i.partitionKey, rangeKey: i.sortKey }])),
    );
    expect(args.stream).toBe('new-and-old-images');
    expect(args.ttl).toBe(tableDefinition.ttlAttribute);
  });

  it('routes /graphql (POST, and OPTIONS for preflights) to the GraphQL handler on arm64 and nodejs24.x, traced', async () => {
    expect(declared.routes.map((r) => r.route)).toEqual(['ANY /graphql', 'GET /health']);
    // CORS is the function's (per-shop origins), so API Gateway must not answer preflights itself.
    expect(declared.api).toMatchObject({ cors: false });
    const { handler: fn } = declared.routes[0]!;
    expect(fn).toMatchObject({ handler: 'functions/graphql.handler', architecture: 'arm64', runtime: 'nodejs24.x' });
    expect(fn.environment).toMatchObject({ TABLE_NAME: 'table-name', CURSOR_SECRET: 'secret:CursorSecret', NODE_ENV: 'production' });
    expect(plain(fn.transform?.function)).toMatchObject({ tracingConfig: { mode: 'Active' } });
    expect(await handlerExists(plain(fn.handler))).toBe(true);
  });

  it('routes GET /health to the health handler, which reaches the table and no secret', async () => {
    const health = declared.routes.find((r) => r.route === 'GET /health')!;
    expect(health.handler).toMatchObject({ handler: 'functions/health.handler', architecture: 'arm64', runtime: 'nodejs24.x', environment: { TABLE_NAME: 'table-name' } });
    expect((plain(health.handler.environment) as Record<string, unknown>).CURSOR_SECRET).toBeUndefined();
    expect(await handlerExists(plain(health.handler.handler))).toBe(true);
  });

  it('subscribes the stream handler from the oldest record, with batch item failures, bisect, bounded retries and an on-failure queue', async () => {
    expect(declared.subscriptions).toHaveLength(1);
    const { fn, args } = declared.subscriptions[0]!;
    expect(fn).toMatchObject({ handler: 'functions/stream.handler', architecture: 'arm64', runtime: 'nodejs24.x' });
    expect(await handlerExists(plain(fn.handler))).toBe(true);
    const mapping = plain(args.transform?.eventSourceMapping);
    expect(mapping.startingPosition).toBe('TRIM_HORIZON');
    expect(mapping.functionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping.bisectBatchOnFunctionError).toBe(true);
    expect(mapping.maximumRetryAttempts).toBeGreaterThan(0);
    expect(mapping.maximumRetryAttempts).toBeLessThanOrEqual(10);
    const [queue] = declared.queues;
    expect(queue).toBeDefined();
    expect(plain(mapping.destinationConfig)).toEqual({ onFailure: { destinationArn: `arn:queue:${queue!.name}` } });
    // The consumer may send to the queue it names (Lambda sends with the function's role).
    expect(plain(fn.link)).toContainEqual(expect.objectContaining({ arn: `arn:queue:${queue!.name}` }));
  });

  it('declares every scheduled function on arm64 with an existing handler, and the prediction refit with 3 GB', async () => {
    const { schedules } = await import('../../lib/app/schedules.js');
    expect(declared.crons.map((c) => c.name).sort()).toEqual(schedules.map((s) => s.name).sort());
    for (const cron of declared.crons) {
      const fn = plain(cron.args.function) as sst.aws.FunctionArgs;
      expect(fn).toMatchObject({ architecture: 'arm64', runtime: 'nodejs24.x' });
      expect(await handlerExists(plain(fn.handler))).toBe(true);
    }
    const predictions = plain(declared.crons.find((c) => c.name === 'Predictions')!.args.function) as sst.aws.FunctionArgs;
    expect(predictions.memory).toBe('3072 MB');
  });

  it('alarms on the on-failure queue depth and on the stream iterator age, notifying the alarm topic', () => {
    const byMetric = Object.fromEntries(declared.alarms.map((a) => [plain(a.args.metricName), a.args]));
    expect(byMetric.ApproximateNumberOfMessagesVisible).toMatchObject({
      namespace: 'AWS/SQS',
      dimensions: { QueueName: `queue-${declared.queues[0]!.name}` },
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });
    expect(byMetric.IteratorAge).toMatchObject({
      namespace: 'AWS/Lambda',
      dimensions: { FunctionName: `${declared.subscriptions[0]!.name}-function` },
      comparisonOperator: 'GreaterThanThreshold',
    });
    for (const alarm of declared.alarms) expect(alarm.args.alarmActions).toEqual([`arn:topic:${declared.topics[0]}`]);
  });

  it('deploys the console as a static site built with the API URL, and tells the function its origin', () => {
    expect(declared.sites).toHaveLength(1);
    const { args } = declared.sites[0]!;
    expect(args.build).toEqual({ command: 'npm run build:console', output: 'dist/console' });
    expect(args.environment).toMatchObject({ CONSOLE_API_URL: 'https://api.example', CONSOLE_EXPLORER: 'false' });
    expect(declared.routes[0]!.handler.environment).toMatchObject({ CONSOLE_ORIGINS: 'https://console.example', GRAPHQL_EXPLORER: 'false' });
  });

  it('feeds the webhook dispatcher from its own queue with a dead-letter queue, partial batch failures, and tells every function the queue', async () => {
    const queue = declared.queues.find((q) => q.name === 'WebhookDeliveries');
    expect(queue?.args?.dlq).toEqual({ queue: 'arn:queue:WebhookDeadLetters', retry: 3 });
    const [subscriber] = declared.queueSubscribers;
    expect(declared.queueSubscribers).toHaveLength(1);
    expect(subscriber).toMatchObject({ queue: 'https://sqs/WebhookDeliveries', fn: { handler: 'functions/webhook-dispatch.handler', architecture: 'arm64' }, args: { batch: { partialResponses: true } } });
    expect(await handlerExists(plain(subscriber!.fn.handler))).toBe(true);
    expect(declared.routes.find((r) => r.route === 'ANY /graphql')?.handler.environment).toMatchObject({ WEBHOOK_QUEUE_URL: 'https://sqs/WebhookDeliveries' });
    expect(declared.crons.map((c) => c.name)).toContain('WebhookSweep');
  });

  it('keeps secrets in sst.Secret', () => {
    expect(declared.secrets).toContain('CursorSecret');
  });

  it('seals stored secrets under a KMS key that every function may use for data keys only', () => {
    expect(declared.kmsKeys).toHaveLength(1);
    const arn = `arn:aws:kms:eu-central-1:000000000000:key/${declared.kmsKeys[0]!.name}`;
    // The health function reads no secret, so it gets neither the key nor its grant.
    const functions = [
      ...declared.routes.filter((r) => r.route !== 'GET /health').map((r) => r.handler),
      ...declared.subscriptions.map((s) => s.fn),
      ...declared.crons.map((c) => plain(c.args.function) as sst.aws.FunctionArgs),
    ];
    for (const fn of functions) {
      expect((plain(fn.environment) as Record<string, unknown>).SECRETS_KMS_KEY_ID).toBe(arn);
      expect(plain(fn.permissions)).toContainEqual({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [arn] });
    }
  });
});
