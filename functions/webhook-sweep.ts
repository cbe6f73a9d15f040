import '../lib/app/entities.js';
import { observeJob } from '../lib/app/observed-job.js';
import { systemClock } from '../lib/common/clock.js';
import { sweepDueDeliveries } from '../lib/webhooks/index.js';

/** Scheduled: attempts the webhook deliveries whose retry is due. */
export const handler = observeJob('webhook sweep', async () => ({ ...(await sweepDueDeliveries({ clock: systemClock })) }));
