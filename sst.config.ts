/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Deployment: one table (the shared definition in lib/db/table.ts), the GraphQL function behind
 * `/graphql` on an HTTP API, the console as a static site, the stream consumer with its on-failure
 * queue, the scheduled functions, and the alarms an operator needs. `npx sst deploy --stage <name>`.
 *
 * Type-checked against SST's own platform types (`npm run typecheck`, tsconfig.sst.json). Each
 * resource group is one block below; add a new group as a new block rather than inside another.
 */
export default $config({
  app(input) {
    const production = input?.stage === 'production';
    return {
      name: 'retention-api',
      home: 'aws',
      removal: production ? 'retain' : 'remove',
      protect: production,
      providers: { aws: { region: (process.env.AWS_REGION ?? 'eu-central-1') as aws.Region } },
    };
  },
  async run() {
    // SST evaluates this file itself: project modules are imported inside run().
    const { tableDefinition, keyAttributes } = await import('./lib/db/table');
    const { schedules } = await import('./lib/app/schedules');

    // --- Secrets ---
    const cursorSecret = new sst.Secret('CursorSecret');

    // --- Stored-secrets key (issue 11): envelope encryption of the shops' storefront secrets
    // (lib/common/envelope.ts). The key never leaves KMS; functions may only make and unwrap
    // data keys with it.
    const storedSecretsKey = new aws.kms.Key('StoredSecretsKey', {
      description: 'retention-api: wraps the data keys that seal secrets stored in the table',
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    const storedSecretsAccess = { actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [storedSecretsKey.arn] };
    // --- end stored-secrets key

    // --- Table ---
    const table = new sst.aws.Dynamo('Table', {
      fields: Object.fromEntries(keyAttributes().map((name) => [name, 'string' as const])),
      primaryIndex: { hashKey: tableDefinition.partitionKey, rangeKey: tableDefinition.sortKey },
      globalIndexes: Object.fromEntries(
        Object.entries(tableDefinition.globalIndexes).map(([name, index]) => [name, { hashKey: index.partitionKey, rangeKey: index.sortKey }]),
      ),
      stream: 'new-and-old-images',
      ttl: tableDefinition.ttlAttribute,
      transform: { table: { pointInTimeRecovery: { enabled: true } } },
    });

    // --- Operations: alarm topic, stream on-failure queue ---
    // Subscribe an email or a pager to this topic; every alarm below notifies it.
    const alarms = new sst.aws.SnsTopic('Alarms');
    // Where Lambda sends a stream record's metadata (shard, sequence numbers) once its retries
    // are spent, instead of dropping it: replay from the table or the stream within 24 h.
    const streamFailures = new sst.aws.Queue('StreamFailures', {
      transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
    });

    // --- Webhooks: deliveries due now travel on this queue to their own dispatcher; a message
    // whose dispatch faulted three times (not a failed HTTP attempt: that retry lives in the
    // table) is kept in the dead-letter queue.
    const webhookDeadLetters = new sst.aws.Queue('WebhookDeadLetters', {
      transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
    });
    const webhookQueue = new sst.aws.Queue('WebhookDeliveries', {
      visibilityTimeout: '60 seconds',
      dlq: { queue: webhookDeadLetters.arn, retry: 3 },
    });

    // --- Function defaults ---
    const functionDefaults = {
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      link: [table, cursorSecret, webhookQueue],
      environment: {
        TABLE_NAME: table.name,
        WEBHOOK_QUEUE_URL: webhookQueue.url,
        CURSOR_SECRET: cursorSecret.value,
        SECRETS_KMS_KEY_ID: storedSecretsKey.arn,
        NODE_ENV: 'production',
        // Powertools: one service name and metrics namespace for every function.
        POWERTOOLS_SERVICE_NAME: 'retention-api',
        POWERTOOLS_METRICS_NAMESPACE: 'RetentionApi',
        LOG_LEVEL: 'INFO',
      },
      // X-Ray: Powertools Tracer sends the segments; Lambda samples and starts the trace.
      permissions: [storedSecretsAccess, { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }],
      transform: { function: { tracingConfig: { mode: 'Active' } } },
    } satisfies Omit<sst.aws.FunctionArgs, 'handler'>;

    // --- API ---
    // cors: false leaves CORS to the function (lib/graphql/cors.ts): allowed origins are per shop,
    // which API Gateway's static CORS configuration cannot express.
    const api = new sst.aws.ApiGatewayV2('Api', { cors: false });

    // --- Console (issue 16): the dashboard (and, with GRAPHQL_EXPLORER=true, the explorer's
    // assets) as a static site beside the API. The site is built with the API's URL and the
    // function is told the site's origin; no cycle, as the routes depend on the site, the site on
    // the Api. ANY routes OPTIONS (preflights) and GET (the explorer) to the same function.
    const explorerEnabled = process.env.GRAPHQL_EXPLORER === 'true';
    const consoleSite = new sst.aws.StaticSite('Console', {
      path: '.',
      build: { command: 'npm run build:console', output: 'dist/console' },
      environment: { CONSOLE_API_URL: api.url, CONSOLE_EXPLORER: String(explorerEnabled) },
    });
    const consoleEnvironment = { CONSOLE_ORIGINS: consoleSite.url, GRAPHQL_EXPLORER: String(explorerEnabled) };
    // --- end Console

    api.route('ANY /graphql', {
      ...functionDefaults,
      environment: { ...functionDefaults.environment, ...consoleEnvironment },
      handler: 'functions/graphql.handler',
      memory: '1024 MB',
      timeout: '29 seconds',
    });
    // The same check as `npm run dev`'s /health: 200 only when the table answers.
    api.route('GET /health', {
      runtime: functionDefaults.runtime,
      architecture: functionDefaults.architecture,
      link: [table],
      environment: { TABLE_NAME: table.name, NODE_ENV: 'production' },
      handler: 'functions/health.handler',
      memory: '256 MB',
      timeout: '5 seconds',
    });

    // --- Stream consumer ---
    const streamConsumer = table.subscribe(
      'StreamConsumer',
      {
        ...functionDefaults,
        link: [...functionDefaults.link, streamFailures],
        handler: 'functions/stream.handler',
        memory: '512 MB',
        timeout: '60 seconds',
      },
      {
        transform: {
          // SST subscribes at LATEST and retries a failing record for a day, blocking its shard:
          // start from the oldest record, report the failed record, split failing batches, give
          // up after a few tries and hand the record to the on-failure queue.
          eventSourceMapping: {
            startingPosition: 'TRIM_HORIZON',
            functionResponseTypes: ['ReportBatchItemFailures'],
            bisectBatchOnFunctionError: true,
            maximumRetryAttempts: 5,
            maximumRecordAgeInSeconds: 3600,
            batchSize: 100,
            destinationConfig: { onFailure: { destinationArn: streamFailures.arn } },
          },
        },
      },
    );

    // The dispatcher: its own function, so a slow receiver holds neither the API nor the stream.
    webhookQueue.subscribe(
      { ...functionDefaults, handler: 'functions/webhook-dispatch.handler', memory: '512 MB', timeout: '30 seconds' },
      { batch: { size: 10, partialResponses: true } },
    );

    // --- Scheduled functions (EventBridge Scheduler; SST 4 deprecates the older Cron) ---
    for (const job of schedules) {
      new sst.aws.CronV2(job.name, {
        schedule: job.schedule,
        function: { ...functionDefaults, handler: job.handler, memory: job.memory ?? '1024 MB', timeout: '15 minutes' },
      });
    }

    // --- Alarms ---
    new aws.cloudwatch.MetricAlarm('StreamFailuresAlarm', {
      alarmDescription: 'Stream records gave up after their retries; their metadata is in the StreamFailures queue.',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: streamFailures.nodes.queue.name },
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [alarms.arn],
      okActions: [alarms.arn],
    });
    new aws.cloudwatch.MetricAlarm('StreamIteratorAgeAlarm', {
      alarmDescription: 'The stream consumer is more than 5 minutes behind: reports, loyalty and referrals are stale (see Shop.syncStatus).',
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      dimensions: { FunctionName: streamConsumer.apply((subscriber) => subscriber.nodes.function.name) },
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 5,
      threshold: 5 * 60_000,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [alarms.arn],
      okActions: [alarms.arn],
    });

    return { api: api.url, console: consoleSite.url, table: table.name, alarms: alarms.arn, streamFailures: streamFailures.url };
  },
});
