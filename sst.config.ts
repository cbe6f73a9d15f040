/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Deployment: one table (the shared definition in lib/db/table.ts), the GraphQL function behind
 * `POST /graphql` on an HTTP API, and the stream consumer. `npx sst deploy --stage <name>`.
 */
export default $config({
  app(input) {
    const production = input?.stage === 'production';
    return {
      name: 'retention-api',
      home: 'aws',
      removal: production ? 'retain' : 'remove',
      protect: production,
      providers: { aws: { region: process.env.AWS_REGION ?? 'eu-central-1' } },
    };
  },
  async run() {
    // SST evaluates this file itself: project modules are imported inside run().
    const { tableDefinition, keyAttributes } = await import('./lib/db/table');
    const { schedules } = await import('./lib/schedules');

    const cursorSecret = new sst.Secret('CursorSecret');

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

    const functionDefaults = {
      runtime: 'nodejs24.x' as const,
      architecture: 'arm64' as const,
      link: [table, cursorSecret],
      environment: {
        TABLE_NAME: table.name,
        CURSOR_SECRET: cursorSecret.value,
        NODE_ENV: 'production',
      },
    };

    const api = new sst.aws.ApiGatewayV2('Api');
    api.route('POST /graphql', {
      ...functionDefaults,
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

    table.subscribe(
      'StreamConsumer',
      { ...functionDefaults, handler: 'functions/stream.handler', memory: '512 MB', timeout: '60 seconds' },
      {
        startingPosition: 'TRIM_HORIZON',
        transform: {
          // SST's defaults retry a failing record for a day and block its shard meanwhile:
          // report the failed record, split failing batches, and give up after a few tries.
          eventSourceMapping: {
            functionResponseTypes: ['ReportBatchItemFailures'],
            bisectBatchOnFunctionError: true,
            maximumRetryAttempts: 5,
            maximumRecordAgeInSeconds: 3600,
            batchSize: 100,
          },
        },
      },
    );

    for (const job of schedules) {
      new sst.aws.Cron(job.name, {
        schedule: job.schedule,
        function: { ...functionDefaults, handler: job.handler, memory: '1024 MB', timeout: '15 minutes' },
      });
    }

    return { api: api.url, table: table.name };
  },
});
