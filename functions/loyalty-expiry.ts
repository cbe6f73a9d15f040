import '../lib/app/entities.js';
import { systemClock } from '../lib/common/clock.js';
import { runLoyaltyExpiry } from '../lib/loyalty/index.js';
import { observeJob } from '../lib/app/observed-job.js';

/** Scheduled: expires the loyalty points that are due in every shop. */
export const handler = observeJob('loyalty expiry', () => runLoyaltyExpiry(systemClock));
