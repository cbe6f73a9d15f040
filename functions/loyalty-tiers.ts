import '../lib/app/entities.js';
import { systemClock } from '../lib/common/clock.js';
import { runTierReevaluation } from '../lib/loyalty/index.js';
import { observeJob } from '../lib/app/observed-job.js';

/** Scheduled: re-evaluates loyalty tiers whose qualification window has ended, in every shop. */
export const handler = observeJob('loyalty tier re-evaluation', () => runTierReevaluation(systemClock));
