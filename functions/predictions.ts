import { systemClock } from '../lib/common/clock.js';
import { runScheduledPredictions } from '../lib/predictions/index.js';
import { listShopIds } from '../lib/shops/index.js';

/**
 * Every minute: per shop, queue the daily refit when the model is a day old and run queued
 * `predictionsRefresh` jobs. One shop's failure does not stop the others.
 */
export async function handler(): Promise<void> {
  for (const tenantId of await listShopIds()) {
    try {
      await runScheduledPredictions(tenantId, systemClock);
    } catch (error) {
      console.error(JSON.stringify({ level: 'error', message: 'prediction refresh failed', tenantId, error: String(error) }));
    }
  }
}
