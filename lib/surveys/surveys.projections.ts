import { systemClock, type Clock } from '../common/clock.js';
import type { Projection } from '../streams/handler.js';
import { eraseCustomerFeedback, schedulePostPurchaseInvitations } from './surveys.service.js';

/**
 * Schedules post-purchase invitations when an order is first recorded (INSERT only, so a
 * cancellation or refund does not re-trigger; the invitation id is derived from the order, so a
 * redelivered record does not invite twice).
 */
export function postPurchaseInvitationsProjection(clock: Clock = systemClock): Projection {
  return {
    name: 'surveys.postPurchaseInvitations',
    accepts: (change) => change.entity === 'order' && change.eventName === 'INSERT' && change.newImage !== undefined,
    apply: async (change) => {
      const order = change.newImage as { tenantId: string; orderId: string; customerId: string; placedAt: string };
      await schedulePostPurchaseInvitations(order.tenantId, order, clock.now());
    },
  };
}

/** Erases a customer's feedback when their customer record gains `erasedAt` (idempotent). */
export function feedbackErasureProjection(clock: Clock = systemClock): Projection {
  return {
    name: 'surveys.feedbackErasure',
    accepts: (change) => change.entity === 'customer' && typeof change.newImage?.erasedAt === 'string' && !change.oldImage?.erasedAt,
    apply: async (change) => {
      const customer = change.newImage as { tenantId: string; customerId: string };
      await eraseCustomerFeedback(customer.tenantId, customer.customerId, clock.now());
    },
  };
}

/** The surveys domain's stream projections, for `lib/streams/projections.ts`. */
export const surveyProjections: Projection[] = [postPurchaseInvitationsProjection(), feedbackErasureProjection()];
