import '../lib/app/entities.js';
import { systemClock } from '../lib/common/clock.js';
import { computeAllSegments } from '../lib/metrics/metrics.segments.js';
import { observeJob } from '../lib/app/observed-job.js';
import { listShopIds } from '../lib/shops/index.js';

/** Scheduled: recomputes every shop's RFM segmentation (one run item per shop). */
export const handler = observeJob('metrics segmentation', async () => computeAllSegments(await listShopIds(), systemClock.now()));
