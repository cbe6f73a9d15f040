import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Gives this process the local key-encryption key that seals stored secrets (SECRETS_LOCAL_KEY),
 * unless one (or a KMS key) is already configured: read from `.dynamodb/local-kek`, or generated
 * once into it (mode 600), so `npm run dev --persist`, its restarts and the admin CLI share it.
 */
export function useLocalKeyEncryptionKey(stateDir = join(process.cwd(), '.dynamodb')): void {
  if (process.env.SECRETS_KMS_KEY_ID || process.env.SECRETS_LOCAL_KEY) return;
  const file = join(stateDir, 'local-kek');
  if (!existsSync(file)) {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  process.env.SECRETS_LOCAL_KEY = readFileSync(file, 'utf8').trim();
}
