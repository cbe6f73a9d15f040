import '../lib/app/entities.js';
import { systemClock } from '../lib/common/clock.js';
import { observeJob } from '../lib/app/observed-job.js';
import { runReferralCompletion } from '../lib/referrals/index.js';

/** Scheduled: completes referrals whose hold period has passed and pays their referrers, in every shop. */
export const handler = observeJob('referral completion', () => runReferralCompletion(systemClock));
