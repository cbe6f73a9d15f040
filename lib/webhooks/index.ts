export { WebhookDeliveryEntity, WebhookSubscriptionEntity, deliveryStatuses, type DeliveryStatus, type WebhookDeliveryItem, type WebhookSubscriptionItem } from './webhooks.entities.js';
export { webhookEvents, webhookEndpointDisabled } from './webhooks.events.js';
export { deliveryQueue, memoryQueue, useDeliveryQueue, type DeliveryQueue, type DeliveryRef } from './queue.js';
export { maxAttempts, nextRetryDelayMs, retryScheduleMs } from './retry.js';
export { dispatchDeliveries, sweepDueDeliveries, webhookFanOutHandler, type DispatchSummary } from './webhooks.service.js';
