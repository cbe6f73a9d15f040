import type { ItemChange, Projection } from '../streams/handler.js';
import { getLoyaltyMember } from '../loyalty/index.js';
import { invitationDeltas, loyaltyEntryDelta, loyaltyMemberDeltas, membershipOrderFacts, referralDeltas, responseDeltas, type PeriodDelta } from './domain-reports.js';
import type { DomainReport } from './domain-reports.entities.js';
import { applyCounterChange, applyOrderToMembershipCounters } from './domain-reports.service.js';

/** The scope every change counts in; feedback also counts per survey. */
export const ALL_SCOPE = 'ALL';

type Image = Record<string, unknown> | undefined;

// A change's mark: the stream record (a redelivery carries the same sequence number) of one item.
// Removals (TTL, erasure) never rewrite history: only the events listed count.
function projection(args: {
  name: string;
  events: ReadonlyArray<ItemChange['eventName']>;
  report: DomainReport;
  entity: string;
  itemId: (image: Record<string, unknown>) => string;
  scopes: (image: Record<string, unknown>) => string[];
  contribution: (image: Image) => PeriodDelta[];
}): Projection {
  return {
    name: args.name,
    accepts: (change: ItemChange) => change.entity === args.entity && args.events.includes(change.eventName),
    apply: async (change: ItemChange) => {
      const image = change.newImage ?? change.oldImage;
      if (!image || typeof image.tenantId !== 'string') return;
      await applyCounterChange({
        tenantId: image.tenantId,
        report: args.report,
        markId: `${args.name}#${args.itemId(image)}#${change.sequenceNumber}`,
        scopes: args.scopes(image),
        before: args.contribution(change.oldImage),
        after: args.contribution(change.newImage),
        now: new Date(),
      });
    },
  };
}

/** Points issued, redeemed, expired and taken back, and the net change, from ledger entries (immutable: INSERTs). */
export const loyaltyEntryCountersProjection = projection({
  name: 'loyaltyEntryCounters',
  report: 'LOYALTY',
  entity: 'loyaltyentry',
  events: ['INSERT'],
  itemId: (image) => `${String(image.customerId)}#${String(image.seq)}`,
  scopes: () => [ALL_SCOPE],
  contribution: (image) => (image ? [loyaltyEntryDelta(image as { type: string; points: number; at: string })] : []),
});

/** New members, from member items that become joined. */
export const loyaltyMemberCountersProjection = projection({
  name: 'loyaltyMemberCounters',
  report: 'LOYALTY',
  entity: 'loyaltymember',
  events: ['INSERT', 'MODIFY'],
  itemId: (image) => String(image.customerId),
  scopes: () => [ALL_SCOPE],
  contribution: loyaltyMemberDeltas,
});

/** Referrals started, completed, rejected (by reason) and referred revenue, from each referral version. */
export const referralCountersProjection = projection({
  name: 'referralCounters',
  report: 'REFERRAL',
  entity: 'referral',
  events: ['INSERT', 'MODIFY'],
  itemId: (image) => String(image.orderId),
  scopes: () => [ALL_SCOPE],
  contribution: referralDeltas,
});

/** NPS, CSAT, CES and responses, from each survey response version, shop-wide and per survey. */
export const surveyResponseCountersProjection = projection({
  name: 'surveyResponseCounters',
  report: 'FEEDBACK',
  entity: 'surveyresponse',
  events: ['INSERT', 'MODIFY'],
  itemId: (image) => String(image.responseId),
  scopes: (image) => [ALL_SCOPE, String(image.surveyId)],
  contribution: responseDeltas,
});

/** Invitations, shop-wide and per survey. */
export const surveyInvitationCountersProjection = projection({
  name: 'surveyInvitationCounters',
  report: 'FEEDBACK',
  entity: 'surveyinvitation',
  events: ['INSERT'],
  itemId: (image) => String(image.invitationId),
  scopes: (image) => [ALL_SCOPE, String(image.surveyId)],
  contribution: invitationDeltas,
});

/**
 * Orders and revenue, active and repeat customers of loyalty members vs non-members, from order
 * changes; an order's group is the customer's membership when it was placed (joined at or before).
 */
export const orderMembershipCountersProjection: Projection = {
  name: 'orderMembershipCounters',
  accepts: (change) => change.entity === 'order' && change.eventName !== 'REMOVE',
  apply: async (change) => {
    const image = change.newImage ?? change.oldImage;
    if (!image || typeof image.tenantId !== 'string' || typeof image.customerId !== 'string') return;
    const member = await getLoyaltyMember(image.tenantId, image.customerId);
    await applyOrderToMembershipCounters({
      tenantId: image.tenantId,
      customerId: image.customerId,
      markId: `orderMembershipCounters#${String(image.orderId)}#${change.sequenceNumber}`,
      before: membershipOrderFacts(change.oldImage, member),
      after: membershipOrderFacts(change.newImage, member),
      now: new Date(),
    });
  },
};

export const domainReportProjections: Projection[] = [
  loyaltyEntryCountersProjection,
  loyaltyMemberCountersProjection,
  orderMembershipCountersProjection,
  referralCountersProjection,
  surveyResponseCountersProjection,
  surveyInvitationCountersProjection,
];
