import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption for secrets kept in the table (a shop's storefront signing secret): each
 * value is sealed with AES-256-GCM under a data key, and the data key is stored beside it wrapped
 * by a key-encryption key that is not in the table (KMS in AWS, a local key in development and
 * tests). Reading the table alone yields no secret.
 */
export interface KeyEncryptionKey {
  /** A fresh 256-bit data key, in plaintext (kept in memory only) and wrapped (stored). */
  generateDataKey(): Promise<{ plaintext: Buffer; wrapped: Buffer }>;
  /** Given a wrapped data key, returns its plaintext. */
  decryptDataKey(wrapped: Buffer): Promise<Buffer>;
}

const sealedPrefix = 'sealed:v1:';

/** True when `value` was produced by {@link Sealer.seal} (older items hold plaintext). */
export function isSealed(value: string): boolean {
  return value.startsWith(sealedPrefix);
}

export interface Sealer {
  /** Seals `plaintext`, bound to `context` (e.g. the tenant id): it opens only with the same context. */
  seal(plaintext: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
}

/** How long one generated data key seals new values in a container before a fresh one is made. */
const dataKeyReuseMs = 60 * 60 * 1000;

/**
 * Given a key-encryption key, returns a sealer that caches data keys per container: sealing reuses
 * one data key for an hour, and opening unwraps each stored data key once, so a request pays no
 * KMS call after the first.
 */
export function createSealer(kek: KeyEncryptionKey, clock: () => number = Date.now): Sealer {
  let current: Promise<{ plaintext: Buffer; wrapped: Buffer; createdAt: number }> | undefined;
  const unwrapped = new Map<string, Promise<Buffer>>();

  async function sealingKey() {
    const now = clock();
    const existing = current ? await current.catch(() => undefined) : undefined;
    if (!existing || now - existing.createdAt > dataKeyReuseMs) {
      current = kek.generateDataKey().then((key) => ({ ...key, createdAt: now }));
      const fresh = await current;
      unwrapped.set(fresh.wrapped.toString('base64url'), Promise.resolve(fresh.plaintext));
      return fresh;
    }
    return existing;
  }

  function dataKeyFor(wrapped: string): Promise<Buffer> {
    let key = unwrapped.get(wrapped);
    if (!key) {
      key = kek.decryptDataKey(Buffer.from(wrapped, 'base64url'));
      // A failed unwrap (KMS throttled) must not stick in the cache.
      key.catch(() => unwrapped.delete(wrapped));
      unwrapped.set(wrapped, key);
    }
    return key;
  }

  return {
    async seal(plaintext, context) {
      const key = await sealingKey();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${sealedPrefix}${key.wrapped.toString('base64url')}:${iv.toString('base64url')}:${body.toString('base64url')}`;
    },
    async open(sealed, context) {
      if (!isSealed(sealed)) throw new Error('not a sealed value');
      const [wrapped, iv, body] = sealed.slice(sealedPrefix.length).split(':');
      if (!wrapped || !iv || !body) throw new Error('malformed sealed value');
      const bytes = Buffer.from(body, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', await dataKeyFor(wrapped), Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * A key-encryption key held locally (development, tests): data keys are wrapped with AES-256-GCM
 * under `key` (32 bytes).
 */
export function localKeyEncryptionKey(key: Buffer): KeyEncryptionKey {
  if (key.length !== 32) throw new Error('the local key-encryption key must be 32 bytes (base64 of 32 random bytes)');
  return {
    async generateDataKey() {
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return { plaintext, wrapped: Buffer.concat([iv, body]) };
    },
    async decryptDataKey(wrapped) {
      const iv = wrapped.subarray(0, 12);
      const tag = wrapped.subarray(wrapped.length - 16);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(wrapped.subarray(12, wrapped.length - 16)), decipher.final()]);
    },
  };
}

/** Bound into every KMS call, so a data key wrapped for this purpose unwraps for nothing else. */
const kmsEncryptionContext = { purpose: 'retention-api/stored-secrets' };

/** A key-encryption key in AWS KMS (`keyId`: key id, ARN or alias); the SDK is loaded on first use. */
export function kmsKeyEncryptionKey(keyId: string): KeyEncryptionKey {
  const client = import('@aws-sdk/client-kms').then((kms) => ({ kms, client: new kms.KMSClient({}) }));
  return {
    async generateDataKey() {
      const { kms, client: c } = await client;
      const out = await c.send(new kms.GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: kmsEncryptionContext }));
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
      return { plaintext: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob) };
    },
    async decryptDataKey(wrapped) {
      const { kms, client: c } = await client;
      const out = await c.send(new kms.DecryptCommand({ KeyId: keyId, CiphertextBlob: wrapped, EncryptionContext: kmsEncryptionContext }));
      if (!out.Plaintext) throw new Error('KMS returned no plaintext');
      return Buffer.from(out.Plaintext);
    },
  };
}

/**
 * The key-encryption key this process is configured with: `SECRETS_KMS_KEY_ID` (AWS; set by
 * sst.config.ts) or `SECRETS_LOCAL_KEY` (base64 of 32 bytes; `npm run dev` and the admin CLI keep
 * one in .dynamodb/local-kek, the tests make one per file). Neither is an error, never a default:
 * a secret sealed under a guessable key would be as good as plaintext.
 */
export function keyEncryptionKeyFromEnv(env: NodeJS.ProcessEnv = process.env): KeyEncryptionKey {
  if (env.SECRETS_KMS_KEY_ID) return kmsKeyEncryptionKey(env.SECRETS_KMS_KEY_ID);
  if (env.SECRETS_LOCAL_KEY) return localKeyEncryptionKey(Buffer.from(env.SECRETS_LOCAL_KEY, 'base64'));
  throw new Error('No key-encryption key: set SECRETS_KMS_KEY_ID (AWS KMS) or SECRETS_LOCAL_KEY (base64 of 32 random bytes)');
}

let configured: { source: string; sealer: Sealer } | undefined;

/** The process's sealer, built from the environment on first use (rebuilt if the environment changed). */
export function defaultSealer(): Sealer {
  const source = `${process.env.SECRETS_KMS_KEY_ID ?? ''}|${process.env.SECRETS_LOCAL_KEY ?? ''}`;
  if (configured?.source !== source) configured = { source, sealer: createSealer(keyEncryptionKeyFromEnv()) };
  return configured.sealer;
}
