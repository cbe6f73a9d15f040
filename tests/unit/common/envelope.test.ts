import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createSealer, isSealed, keyEncryptionKeyFromEnv, localKeyEncryptionKey } from '../../../lib/common/envelope.js';

describe('envelope sealer', () => {
  it('opens what it sealed, only with the same context', async () => {
    const sealer = createSealer(localKeyEncryptionKey(randomBytes(32)));

    const sealed = await sealer.seal('storefront-secret', 'shop-a');

    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('storefront-secret');
    expect(await sealer.open(sealed, 'shop-a')).toBe('storefront-secret');
    await expect(sealer.open(sealed, 'shop-b')).rejects.toThrow();
  });

  it('does not open under another key-encryption key', async () => {
    const sealed = await createSealer(localKeyEncryptionKey(randomBytes(32))).seal('x', 'shop-a');

    await expect(createSealer(localKeyEncryptionKey(randomBytes(32))).open(sealed, 'shop-a')).rejects.toThrow();
  });

  it('unwraps a stored data key once per container, however many values it opens', async () => {
    const kek = localKeyEncryptionKey(randomBytes(32));
    const writer = createSealer(kek);
    const sealed = await Promise.all(['a', 'b', 'c'].map((v) => writer.seal(v, 'shop')));
    const counting = { generateDataKey: vi.fn(kek.generateDataKey), decryptDataKey: vi.fn(kek.decryptDataKey) };
    const reader = createSealer(counting);

    const opened = [];
    for (let round = 0; round < 3; round++) for (const value of sealed) opened.push(await reader.open(value, 'shop'));

    expect(opened.slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect(counting.decryptDataKey).toHaveBeenCalledTimes(1);
  });

  it('refuses to run without a configured key-encryption key', () => {
    expect(() => keyEncryptionKeyFromEnv({})).toThrow(/SECRETS_KMS_KEY_ID|SECRETS_LOCAL_KEY/);
  });
});
