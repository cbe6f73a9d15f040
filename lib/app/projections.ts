import { loyaltyProjection, surveyCompletedEarnHandler } from '../loyalty/index.js';
import { referralProjection } from '../referrals/index.js';
import { metricsMembershipProjection, metricsProjection } from '../metrics/metrics.projection.js';
import { purchasesProjection } from '../metrics/metrics.purchases.js';
import { domainReportProjections } from '../metrics/domain-reports.projections.js';
import { surveyEventHandlers, surveyProjections } from '../surveys/index.js';
import { eventProjections, type EventHandler } from '../events/index.js';
import { flowEntryHandler, flowGoalHandler } from '../flows/index.js';
import type { Projection } from '../streams/handler.js';
import { webhookFanOutHandler } from '../webhooks/index.js';
import { eventCatalogue } from './event-catalogue.js';

/** Every domain's reactions to other domains' facts, registered here and nowhere else. */
export const eventHandlers: EventHandler[] = [
  surveyCompletedEarnHandler,
  ...surveyEventHandlers,
  flowEntryHandler,
  flowGoalHandler,
  webhookFanOutHandler(eventCatalogue.map((definition) => definition.type)),
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
