import { systemClock } from '../lib/common/clock.js';
import { runTierReevaluation } from '../lib/loyalty/index.js';

/** Scheduled: re-evaluates loyalty tiers whose qualification window has ended, in every shop. */
export const handler = async (): Promise<void> => {
  console.log(JSON.stringify({ level: 'info', message: 'loyalty tier re-evaluation', ...(await runTierReevaluation(systemClock)) }));
};
