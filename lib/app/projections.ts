import { loyaltyProjection, surveyCompletedEarnHandler } from '../loyalty/index.js';
import { referralProjection } from '../referrals/index.js';
import { metricsMembershipProjection, metricsProjection } from '../metrics/metrics.projection.js';
import { purchasesProjection } from '../metrics/metrics.purchases.js';
import { domainReportProjections } from '../metrics/domain-reports.projections.js';
import { surveyProjections } from '../surveys/index.js';
import { eventProjections, type EventHandler } from '../events/index.js';
import type { Projection } from '../streams/handler.js';

/** Every domain's reactions to other domains' facts, registered here and nowhere else. */
export const eventHandlers: EventHandler[] = [
  surveyCompletedEarnHandler,
];

/** Every read model the stream maintains, in the order they are applied. */
export const projections: Projection[] = [
  metricsProjection,
  metricsMembershipProjection,
  purchasesProjection,
  ...surveyProjections,
  loyaltyProjection,
  referralProjection,
  ...domainReportProjections,
  ...eventProjections(eventHandlers),
];
