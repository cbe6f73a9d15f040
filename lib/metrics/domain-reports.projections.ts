import type { ItemChange, Projection } from '../streams/handler.js';
import { invitationDeltas, loyaltyEntryDelta, referralDeltas, responseDeltas, type PeriodDelta } from './domain-reports.js';
import type { DomainReport } from './domain-reports.entities.js';
import { applyItemContribution } from './domain-reports.service.js';

/** The scope every change counts in; feedback also counts per survey. */
export const ALL_SCOPE = 'ALL';

type Image = Record<string, unknown>;

/**
 * How one kind of source item feeds a program report: its identity, its version (immutable items
 * have one), the scopes it counts in and its contribution. The stream projection and the rebuild's
 * replay both apply it through `applyItemContribution`.
 */
export interface ProgramSource {
  readonly name: string;
  readonly report: DomainReport;
  readonly entity: string;
  readonly itemId: (image: Image) => string;
  readonly version: (image: Image) => number;
  readonly scopes: (image: Image) => string[];
  readonly contribution: (image: Image) => PeriodDelta[];
}

/** Given a source and one of its items (a stream image or a stored item), lands its contribution. */
export function applySourceItem(source: ProgramSource, image: Image, onlyGeneration?: number): Promise<boolean> {
  return applyItemContribution({
    tenantId: String(image.tenantId),
    report: source.report,
    itemKey: `${source.name}#${source.itemId(image)}`,
    version: source.version(image),
    scopes: source.scopes(image),
    deltas: source.contribution(image),
    ...(onlyGeneration === undefined ? {} : { onlyGeneration }),
  });
}

// Removals (TTL, erasure) never rewrite history: only new images count.
function projectionOf(source: ProgramSource): Projection {
  return {
    name: source.name,
    accepts: (change: ItemChange) => change.entity === source.entity && change.newImage !== undefined,
    apply: async (change: ItemChange) => {
      const image = change.newImage;
      if (!image || typeof image.tenantId !== 'string') return;
      await applySourceItem(source, image);
    },
  };
}

const immutable = () => 1;
const versioned = (image: Image) => Number(image.version ?? 0);

/** Ledger entries (immutable): points issued, redeemed, expired and taken back, and the net change. */
export const loyaltyEntrySource: ProgramSource = {
  name: 'loyaltyEntryCounters',
  report: 'LOYALTY',
  entity: 'loyaltyentry',
  itemId: (image) => `${String(image.customerId)}#${String(image.seq)}`,
  version: immutable,
  scopes: () => [ALL_SCOPE],
  contribution: (image) => [loyaltyEntryDelta(image as { type: string; points: number; at: string })],
};

/** Referrals: started, completed, rejected (by reason) and referred revenue. */
export const referralSource: ProgramSource = {
  name: 'referralCounters',
  report: 'REFERRAL',
  entity: 'referral',
  itemId: (image) => String(image.orderId),
  version: versioned,
  scopes: () => [ALL_SCOPE],
  contribution: referralDeltas,
};

/** Survey responses: NPS, CSAT, CES and responses, shop-wide and per survey. */
export const surveyResponseSource: ProgramSource = {
  name: 'surveyResponseCounters',
  report: 'FEEDBACK',
  entity: 'surveyresponse',
  itemId: (image) => String(image.responseId),
  version: versioned,
  scopes: (image) => [ALL_SCOPE, String(image.surveyId)],
  contribution: responseDeltas,
};

/** Survey invitations (their due time never changes): invitations, shop-wide and per survey. */
export const surveyInvitationSource: ProgramSource = {
  name: 'surveyInvitationCounters',
  report: 'FEEDBACK',
  entity: 'surveyinvitation',
  itemId: (image) => String(image.invitationId),
  version: immutable,
  scopes: (image) => [ALL_SCOPE, String(image.surveyId)],
  contribution: invitationDeltas,
};

export const programSources: readonly ProgramSource[] = [loyaltyEntrySource, referralSource, surveyResponseSource, surveyInvitationSource];

/** The program reports' stream projections, one per source. */
export const domainReportProjections: Projection[] = programSources.map(projectionOf);
