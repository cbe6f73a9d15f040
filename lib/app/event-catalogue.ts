import { customerEvents } from '../customers/index.js';
import type { EventDefinition } from '../events/index.js';
import { metricsEvents } from '../metrics/index.js';
import { orderEvents } from '../orders/index.js';
import { loyaltyEvents } from '../loyalty/index.js';
import { surveyEvents } from '../surveys/index.js';
import { referralEvents } from '../referrals/index.js';
import { flowEvents } from '../flows/index.js';
import { webhookEvents } from '../webhooks/index.js';

/**
 * Every event type partners can receive: each domain's declarations (`lib/<domain>/<domain>.events.ts`),
 * listed here once. Subscriptions are validated against it; the README's catalogue and
 * `webhookTest` samples are read from it.
 */
export const eventCatalogue: EventDefinition[] = [
  ...customerEvents,
  ...orderEvents,
  ...loyaltyEvents,
  ...surveyEvents,
  ...referralEvents,
  ...metricsEvents,
  ...flowEvents,
  ...webhookEvents,
];
