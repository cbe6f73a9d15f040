import { systemClock } from '../lib/common/clock.js';
import { runReferralCompletion } from '../lib/referrals/index.js';

/** Scheduled: completes referrals whose hold period has passed and pays their referrers, in every shop. */
export const handler = async (): Promise<void> => {
  console.log(JSON.stringify({ level: 'info', message: 'referral completion', ...(await runReferralCompletion(systemClock)) }));
};
