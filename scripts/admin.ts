import '../lib/app/entities.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  apiScopes,
  createApiKey,
  createShop,
  listApiKeysForShop,
  revokeApiKey,
  rotateStorefrontSecret,
  storefrontSecretsOf,
  updateShopSettings,
  type ApiScope,
} from '../lib/shops/index.js';
import { httpGraphQL, importOrders } from './import/import-orders.js';
import { DEFAULT_COLUMNS, type ImportField } from './import/invoices.js';
import { useLocalKeyEncryptionKey } from './local/local-kek.js';

const usage = `npm run admin -- <command> [options]

  create-shop --id <id> --name <name> --currency <EUR> [--time-zone <Europe/Berlin>] [--revenue-basis TOTAL|SUBTOTAL]
  update-shop --shop <id> [--time-zone <Europe/Berlin>] [--revenue-basis TOTAL|SUBTOTAL]   (then run metricsRebuild)
  create-key --shop <id> --name <name> --kind secret|publishable [--scopes customers:read,orders:write,...|all]
  list-keys --shop <id>
  revoke-key --shop <id> --key <key id>
  rotate-storefront-secret --shop <id>
  import-orders <file.csv[.gz]> [--url <graphql url>] [--key <secret key>]   (or RETENTION_API_KEY)
      [--map field=Column ...]      read a field from another column; fields: ${Object.keys(DEFAULT_COLUMNS).join(', ')}
                                    (e.g. --map category=Description: each description becomes a category)
      [--date-order MDY|DMY]        12/1/2010 is month/day (MDY, the UCI export; default) or day/month
      [--full-undo REFUND|CANCEL]   an invoice undone in full by credit notes: refunded in full, still
                                    counted with zero revenue (REFUND, METRICS.md; default) or cancelled
      [--delimiter ';']             the separator (default: the header's , ; or tab)
      [--concurrency 4]             requests in flight
  webhook-listen --shop <id> [--port 8787] [--types order.recorded,...]   receive, verify and print the shop's events (subscribes; Ctrl-C unsubscribes)
  stream-dlq list [--shop <id>] [--all]            stream records a projection could not apply (--all: replayed ones too)
  stream-dlq replay <dead letter id> | --all [--shop <id>]   apply them again through the same projections

The database is DYNAMODB_ENDPOINT + TABLE_NAME, else the running 'npm run dev', else AWS (TABLE_NAME).`;

const importFields = Object.keys(DEFAULT_COLUMNS) as [ImportField, ...ImportField[]];
const importOptions = z.object({
  map: z
    .array(z.string().regex(/^[a-zA-Z]+=.+$/, 'expected field=Column'))
    .transform((pairs) => Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])))
    .pipe(z.partialRecord(z.enum(importFields), z.string().min(1))),
  dateOrder: z.enum(['MDY', 'DMY']).optional(),
  fullUndo: z.enum(['REFUND', 'CANCEL']).optional(),
  delimiter: z.string().length(1).optional(),
  concurrency: z.coerce.number().int().min(1).max(16).optional(),
});

/** Points the data layer at the running dev server's DynamoDB Local unless told otherwise. */
function devServer(): { endpoint: string; tableName: string; url: string } | undefined {
  const file = join(process.cwd(), '.dynamodb', 'dev.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

/** 'customers:read' → 'CUSTOMERS_READ'; 'all' → every scope. */
function parseScopes(value: string | undefined): ApiScope[] {
  if (!value) return [];
  if (value === 'all') return [...apiScopes];
  return value.split(',').map((s) => {
    const scope = s.trim().replace(':', '_').toUpperCase();
    if (!(apiScopes as readonly string[]).includes(scope)) throw new Error(`Unknown scope "${s}". Scopes: ${apiScopes.map((x) => x.toLowerCase().replace('_', ':')).join(', ')}`);
    return scope as ApiScope;
  });
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      shop: { type: 'string' },
      name: { type: 'string' },
      currency: { type: 'string' },
      'time-zone': { type: 'string' },
      'revenue-basis': { type: 'string' },
      kind: { type: 'string' },
      scopes: { type: 'string' },
      key: { type: 'string' },
      url: { type: 'string' },
      map: { type: 'string', multiple: true },
      'date-order': { type: 'string' },
      'full-undo': { type: 'string' },
      delimiter: { type: 'string' },
      concurrency: { type: 'string' },
      all: { type: 'boolean' },
      port: { type: 'string' },
      types: { type: 'string' },
    },
  });
  const dev = devServer();
  if (!process.env.DYNAMODB_ENDPOINT && dev) {
    process.env.DYNAMODB_ENDPOINT = dev.endpoint;
    process.env.TABLE_NAME ??= dev.tableName;
  }
  // Against AWS, SECRETS_KMS_KEY_ID must name the deployment's key; locally the dev server's key file serves.
  if (process.env.DYNAMODB_ENDPOINT) useLocalKeyEncryptionKey();
  const need = (name: keyof typeof values) => {
    const value = values[name];
    if (typeof value !== 'string' || !value) throw new Error(`--${name} is required\n\n${usage}`);
    return value;
  };
  const now = new Date();

  switch (command) {
    case 'create-shop': {
      const shop = await createShop(
        {
          tenantId: need('id'),
          name: need('name'),
          currencyCode: need('currency'),
          timeZone: values['time-zone'] ?? 'UTC',
          revenueBasis: (values['revenue-basis'] as 'TOTAL' | 'SUBTOTAL' | undefined) ?? 'TOTAL',
        },
        now,
      );
      console.log(`Created shop ${shop.tenantId} (${shop.currencyCode}, ${shop.timeZone}).`);
      console.log(`Storefront signing secret (HS256, give it to the shop's backend; shown once): ${(await storefrontSecretsOf(shop, now)).current}`);
      return;
    }
    case 'update-shop': {
      const { shop, changes } = await updateShopSettings(
        need('shop'),
        { timeZone: values['time-zone'], revenueBasis: values['revenue-basis']?.toUpperCase() as 'TOTAL' | 'SUBTOTAL' | undefined },
        now,
      );
      if (changes.length === 0) {
        console.log(`Shop ${shop.tenantId} already has time zone ${shop.timeZone} and revenue basis ${shop.revenueBasis}; nothing changed.`);
        return;
      }
      for (const { setting, from, to } of changes) console.log(`Shop ${shop.tenantId}: ${setting} ${from} → ${to}`);
      console.log('Reports keep the old settings until a rebuild: run the metricsRebuild mutation to re-cut them.');
      return;
    }
    case 'create-key': {
      const kind = need('kind').toUpperCase();
      if (kind !== 'SECRET' && kind !== 'PUBLISHABLE') throw new Error('--kind is secret or publishable');
      const scopes = parseScopes(values.scopes);
      if (kind === 'SECRET' && scopes.length === 0) throw new Error('A secret key needs --scopes');
      const { apiKey, secret } = await createApiKey(need('shop'), { name: need('name'), kind, scopes }, now);
      console.log(`Created ${kind.toLowerCase()} key ${apiKey.keyId} "${apiKey.name}" [${apiKey.scopes.join(', ')}]`);
      console.log(`Key (shown once, store it now): ${secret}`);
      return;
    }
    case 'list-keys': {
      for (const k of await listApiKeysForShop(need('shop'))) {
        console.log([k.keyId, k.kind, k.prefix, JSON.stringify(k.name), k.scopes.join(',') || '-', `created ${k.createdAt}`, k.lastUsedAt ? `used ${k.lastUsedAt}` : 'never used', k.revokedAt ? `REVOKED ${k.revokedAt}` : 'active'].join('  '));
      }
      return;
    }
    case 'revoke-key': {
      const key = await revokeApiKey(need('shop'), need('key'), now);
      console.log(`Revoked ${key.keyId} at ${key.revokedAt}`);
      return;
    }
    case 'rotate-storefront-secret': {
      const secret = await rotateStorefrontSecret(need('shop'), now);
      console.log(`New storefront signing secret (shown once): ${secret}`);
      console.log('Tokens signed with the previous secret stay valid for one hour.');
      return;
    }
    case 'import-orders': {
      const file = positionals[0];
      if (!file) throw new Error(`import-orders needs a file\n\n${usage}`);
      const key = values.key ?? process.env.RETENTION_API_KEY;
      if (!key) throw new Error('import-orders needs a secret key with ORDERS_WRITE: --key or RETENTION_API_KEY');
      const url = values.url ?? dev?.url ?? 'http://localhost:4000/graphql';
      const options = importOptions.parse({
        map: values.map ?? [],
        dateOrder: values['date-order']?.toUpperCase(),
        fullUndo: values['full-undo']?.toUpperCase(),
        delimiter: values.delimiter,
        concurrency: values.concurrency,
      });
      const started = Date.now();
      const report = await importOrders({ file, send: httpGraphQL(url, key), ...options });
      console.log(JSON.stringify({ ...report, failures: report.failures.slice(0, 20), seconds: { ...report.seconds, total: Math.round((Date.now() - started) / 100) / 10 } }, null, 2));
      return;
    }
    case 'webhook-listen': {
      const { webhookListen } = await import('./local/webhook-listen.js');
      const port = z.coerce.number().int().min(1).max(65_535).parse(values.port ?? '8787');
      await webhookListen({ shop: need('shop'), port, types: values.types ? values.types.split(',').map((type) => type.trim()) : ['*'] });
      return;
    }
    case 'stream-dlq': {
      const { listDeadLetters, getDeadLetter, replayDeadLetter, deadLetterIdOf } = await import('../lib/streams/dead-letters.js');
      const [action, id] = positionals;
      if (action === 'list') {
        const letters = await listDeadLetters({ tenantId: values.shop, includeReplayed: values.all ?? false });
        for (const l of letters) {
          console.log([deadLetterIdOf(l), l.status, l.projection, l.entity ?? '-', l.eventName ?? '-', `attempts ${l.attempts}`, `failed ${l.failedAt}`, JSON.stringify(l.error)].join('  '));
        }
        if (letters.length === 0) console.log('No dead letters.');
        return;
      }
      if (action === 'replay') {
        const { projections } = await import('../lib/app/projections.js');
        const letters = values.all ? await listDeadLetters({ tenantId: values.shop }) : [await getDeadLetter(id ?? '')];
        if (!values.all && !letters[0]) throw new Error(`No dead letter "${id ?? ''}" (ids are shown by stream-dlq list)`);
        let failed = 0;
        for (const letter of letters) {
          const outcome = await replayDeadLetter(letter!, projections);
          if (outcome.status === 'FAILED') failed += 1;
          console.log(`${outcome.id}  ${outcome.status}${outcome.error ? `  ${outcome.error}` : ''}`);
        }
        if (failed > 0) process.exitCode = 1;
        return;
      }
      throw new Error(`stream-dlq list|replay\n\n${usage}`);
    }
    default:
      console.log(usage);
      if (command && command !== 'help' && command !== '--help') process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error instanceof z.ZodError ? z.prettifyError(error) : error.message);
  process.exit(1);
});
