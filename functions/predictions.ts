import '../lib/app/entities.js';
import { errorFields, logger } from '../lib/common/logger.js';
import { systemClock } from '../lib/common/clock.js';
import { observeJob } from '../lib/app/observed-job.js';
import { runScheduledPredictions } from '../lib/predictions/index.js';
import { listShopIds } from '../lib/shops/index.js';

/**
 * Every minute: per shop, queue the daily refit when the model is a day old and run queued
 * `predictionsRefresh` jobs. One shop's failure does not stop the others.
 */
export const handler = observeJob('predictions', async () => {
  let failed = 0;
  for (const tenantId of await listShopIds()) {
    try {
      await runScheduledPredictions(tenantId, systemClock);
    } catch (error) {
      failed += 1;
      logger.error('prediction refresh failed', { shop: tenantId, error: errorFields(error) });
    }
  }
  return { failedShops: failed };
});
