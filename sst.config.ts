/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Deployment: one table (the shared definition in lib/db/table.ts), the GraphQL function behind
 * `/graphql` on an HTTP API, the console as a static site, and the stream consumer. `npx sst deploy --stage <name>`.
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

    return { api: api.url, console: consoleSite.url, table: table.name };
  },
});
