import '../lib/app/entities.js';
import { systemClock } from '../lib/common/clock.js';
import { advanceAllRebuilds } from '../lib/metrics/metrics.rebuild.js';
import { observeJob } from '../lib/app/observed-job.js';
import { listShopIds } from '../lib/shops/index.js';

/** Scheduled: advances every shop's running `metricsRebuild` job for up to ten minutes. */
export const handler = observeJob('metrics rebuild', async () => {
  await advanceAllRebuilds(await listShopIds(), systemClock, 10 * 60_000);
});
