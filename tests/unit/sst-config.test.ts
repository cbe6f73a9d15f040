import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyAttributes, tableDefinition } from '../../lib/db/table.js';

/**
 * `sst deploy` cannot run here (no AWS account), so the config is loaded with stand-in SST
 * globals that record what it declares, and checked against the shared table definition.
 */
interface Declared {
  dynamo: Array<{ name: string; args: any }>;
  routes: Array<{ route: string; args: any }>;
  subscriptions: Array<{ name: string; fn: any; args: any }>;
  secrets: string[];
  crons: Array<{ name: string; args: any }>;
}

function standInGlobals(): Declared {
  const declared: Declared = { dynamo: [], routes: [], subscriptions: [], secrets: [], crons: [] };
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
        constructor(name: string, args: any) {
          declared.dynamo.push({ name, args });
        }
        subscribe(name: string, fn: any, args: any) {
          declared.subscriptions.push({ name, fn, args });
        }
      },
      ApiGatewayV2: class {
        url = 'https://api.example';
        route(route: string, args: any) {
          declared.routes.push({ route, args });
        }
      },
      Cron: class {
        constructor(name: string, args: any) {
          declared.crons.push({ name, args });
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
    // Imported by URL so that the type checker leaves it to SST's own generated types.
    config = (await import(/* @vite-ignore */ new URL('../../sst.config.ts', import.meta.url).href)).default;
    await config.run();
  });

  it('retains and protects production data, removes other stages', () => {
    expect(config.app({ stage: 'production' })).toMatchObject({ name: 'retention-api', home: 'aws', removal: 'retain', protect: true });
    expect(config.app({ stage: 'dev' })).toMatchObject({ removal: 'remove', protect: false });
  });

  it('declares exactly the shared table definition', () => {
    expect(declared.dynamo).toHaveLength(1);
    const { args } = declared.dynamo[0]!;
    expect(Object.keys(args.fields).sort()).toEqual(keyAttributes().sort());
    expect(Object.values(args.fields).every((type) => type === 'string')).toBe(true);
    expect(args.primaryIndex).toEqual({ hashKey: tableDefinition.partitionKey, rangeKey: tableDefinition.sortKey });
    expect(args.globalIndexes).toEqual(
      Object.fromEntries(Object.entries(tableDefinition.globalIndexes).map(([n, i]) => [n, { hashKey: i.partitionKey, rangeKey: i.sortKey }])),
    );
    expect(args.stream).toBe('new-and-old-images');
    expect(args.ttl).toBe(tableDefinition.ttlAttribute);
  });

  it('routes POST /graphql to the GraphQL handler on arm64 and nodejs24.x', async () => {
    expect(declared.routes.map((r) => r.route)).toEqual(['POST /graphql', 'GET /health']);
    const { args } = declared.routes[0]!;
    expect(args).toMatchObject({ handler: 'functions/graphql.handler', architecture: 'arm64', runtime: 'nodejs24.x' });
    expect(args.environment).toMatchObject({ TABLE_NAME: 'table-name', CURSOR_SECRET: 'secret:CursorSecret', NODE_ENV: 'production' });
    expect(await handlerExists(args.handler)).toBe(true);
  });

  it('routes GET /health to the health handler, which reaches the table and no secret', async () => {
    const health = declared.routes.find((r) => r.route === 'GET /health')!;
    expect(health.args).toMatchObject({ handler: 'functions/health.handler', architecture: 'arm64', runtime: 'nodejs24.x', environment: { TABLE_NAME: 'table-name' } });
    expect(health.args.environment.CURSOR_SECRET).toBeUndefined();
    expect(await handlerExists(health.args.handler)).toBe(true);
  });

  it('subscribes the stream handler with batch item failures, bisect on error and bounded retries', async () => {
    expect(declared.subscriptions).toHaveLength(1);
    const { fn, args } = declared.subscriptions[0]!;
    expect(fn).toMatchObject({ handler: 'functions/stream.handler', architecture: 'arm64', runtime: 'nodejs24.x' });
    expect(await handlerExists(fn.handler)).toBe(true);
    const mapping = args.transform.eventSourceMapping;
    expect(mapping.functionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping.bisectBatchOnFunctionError).toBe(true);
    expect(mapping.maximumRetryAttempts).toBeGreaterThan(0);
    expect(mapping.maximumRetryAttempts).toBeLessThanOrEqual(10);
  });

  it('declares every scheduled function as a Cron on arm64 with an existing handler', async () => {
    const { schedules } = await import('../../lib/schedules.js');
    expect(declared.crons.map((c) => c.name).sort()).toEqual(schedules.map((s) => s.name).sort());
    for (const cron of declared.crons) {
      expect(cron.args.function).toMatchObject({ architecture: 'arm64', runtime: 'nodejs24.x' });
      expect(await handlerExists(cron.args.function.handler)).toBe(true);
    }
  });

  it('keeps secrets in sst.Secret', () => {
    expect(declared.secrets).toContain('CursorSecret');
  });
});
