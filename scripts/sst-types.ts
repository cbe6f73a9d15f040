import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/**
 * Writes SST's platform types into .sst/platform (what `sst.config.ts` and tsconfig.sst.json
 * reference), once per SST version. `sst install` would first download Pulumi from GitHub; with
 * SST_SKIP_DEPENDENCY_CHECK and SST_NO_BUN it only copies the platform sources out of the SST
 * binary and installs the providers' npm packages with npm, which works offline from the registry.
 * Deploying still needs `npx sst install` with the internet (Pulumi and its provider plugins).
 */
const wanted = JSON.parse(readFileSync('node_modules/sst/package.json', 'utf8')).version as string;
const installed = existsSync('.sst/platform/version') ? readFileSync('.sst/platform/version', 'utf8').trim() : undefined;
if (installed !== wanted || !existsSync('.sst/platform/node_modules/@pulumi/aws')) {
  console.log(`Writing SST ${wanted} platform types into .sst/platform (once per SST version)...`);
  const result = spawnSync('sst', ['install'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      SST_STAGE: process.env.SST_STAGE ?? 'typecheck',
      SST_SKIP_DEPENDENCY_CHECK: '1',
      SST_NO_BUN: '1',
      SST_TELEMETRY_DISABLED: '1',
    },
  });
  if (result.status !== 0) {
    console.error('sst install failed: sst.config.ts cannot be type-checked without .sst/platform.');
    process.exit(result.status ?? 1);
  }
}
