import { systemClock } from '../lib/common/clock.js';
import { runLoyaltyExpiry } from '../lib/loyalty/index.js';

/** Scheduled: expires the loyalty points that are due in every shop. */
export const handler = async (): Promise<void> => {
  console.log(JSON.stringify({ level: 'info', message: 'loyalty expiry', ...(await runLoyaltyExpiry(systemClock)) }));
};
