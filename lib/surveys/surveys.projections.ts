import { systemClock, type Clock } from '../common/clock.js';
import { eventProjections, type EventHandler } from '../events/index.js';
import type { Projection } from '../streams/handler.js';
import { eraseCustomerFeedback, schedulePostPurchaseInvitations } from './surveys.service.js';

/** What surveys read of `order.recorded` (declared by orders; only the fields they need). */
interface OrderRecorded {
  orderId: string;
  customerId: string;
  placedAt: string;
}

/**
 * Schedules post-purchase invitations when an order is first recorded: a reaction to
 * `order.recorded` (published once per order, so a cancellation or refund does not re-trigger; the
 * invitation id is derived from the order, so a redelivered event does not invite twice).
 */
export function postPurchaseInvitationsHandler(clock: Clock = systemClock): EventHandler {
  return {
    name: 'surveys.post-purchase-invitations',
    types: ['order.recorded'],
    handle: async (event) => {
      const order = event.data as OrderRecorded;
      await schedulePostPurchaseInvitations(event.shopId, order, clock.now());
    },
  };
}

/** The invitations reaction as a stream projection of its own (tests feed it alone). */
export function postPurchaseInvitationsProjection(clock: Clock = systemClock): Projection {
  return eventProjections([postPurchaseInvitationsHandler(clock)])[0]!;
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
export const surveyProjections: Projection[] = [feedbackErasureProjection()];

/** The surveys domain's reactions to other domains' events, for `lib/app/projections.ts`. */
export const surveyEventHandlers: EventHandler[] = [postPurchaseInvitationsHandler()];
