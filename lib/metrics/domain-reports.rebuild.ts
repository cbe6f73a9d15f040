/**
 * The rebuild's replay of the program reports' sources (`metricsRebuild`, phase PROGRAMS): every
 * ledger entry, referral, survey response and invitation of the tenant is applied to the
 * generation the rebuild fills, through the marks the stream projections use, so an item the
 * stream also delivers during the rebuild lands once. A page per step, resumable from a cursor.
 * Items listed through an index are read again from the table (consistent), so a version the
 * index has not caught up with is never replayed over a newer one.
 */
import { db } from '../db/service.js';
import { ALL_SCOPE, applySourceItem, loyaltyEntrySource, referralSource, surveyInvitationSource, surveyResponseSource } from './domain-reports.projections.js';
import type { DomainReport } from './domain-reports.entities.js';

/** Where the replay resumes: the source (M: members' ledgers, R: referrals, S: surveys), the page, and within a survey its responses or invitations. */
interface ReplayCursor {
  readonly s: 'M' | 'R' | 'S';
  readonly c?: string;
  readonly survey?: { readonly id: string; readonly next: string | null; readonly k: 'R' | 'I'; readonly c?: string };
}

const membersPerStep = 25;
const itemsPerStep = 100;

type Image = Record<string, unknown>;

async function inParallel<T>(items: readonly T[], apply: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += 25) await Promise.all(items.slice(i, i + 25).map(apply));
}

/**
 * Given a tenant, the generation a rebuild fills and where the replay stands (undefined at the
 * start), replays one page of sources and returns where to resume, or undefined when every source
 * has been replayed.
 */
export async function replayProgramsStep(tenantId: string, generation: number, at: string | undefined): Promise<string | undefined> {
  const cursor: ReplayCursor = at ? (JSON.parse(at) as ReplayCursor) : { s: 'M' };
  const next = (value: ReplayCursor) => JSON.stringify(value);
  switch (cursor.s) {
    case 'M': {
      const page = await db()
        .entities.loyaltyMember.query.membersByShop({ tenantId })
        .go({ cursor: cursor.c ?? null, limit: membersPerStep, attributes: ['customerId'] });
      for (const { customerId } of page.data) {
        let entries: string | null = null;
        do {
          const ledger: { data: Image[]; cursor: string | null } = await db()
            .entities.loyaltyEntry.query.ledgerByCustomer({ tenantId, customerId })
            .go({ cursor: entries, consistent: true, limit: itemsPerStep });
          await inParallel(ledger.data, (entry) => applySourceItem(loyaltyEntrySource, entry, generation));
          entries = ledger.cursor;
        } while (entries);
      }
      return next(page.cursor ? { s: 'M', c: page.cursor } : { s: 'R' });
    }
    case 'R': {
      const page = await db()
        .entities.referral.query.byShop({ tenantId })
        .go({ cursor: cursor.c ?? null, limit: itemsPerStep, attributes: ['orderId'] });
      await inParallel(page.data, async ({ orderId }) => {
        const referral = (await db().entities.referral.get({ tenantId, orderId }).go({ consistent: true })).data;
        if (referral) await applySourceItem(referralSource, referral, generation);
      });
      return next(page.cursor ? { s: 'R', c: page.cursor } : { s: 'S' });
    }
    case 'S': {
      if (!cursor.survey) {
        const page = await db()
          .entities.survey.query.surveysByShop({ tenantId })
          .go({ cursor: cursor.c ?? null, limit: 1, attributes: ['surveyId'] });
        const survey = page.data[0];
        if (!survey) return undefined;
        return next({ s: 'S', survey: { id: survey.surveyId, next: page.cursor, k: 'R' } });
      }
      const { survey } = cursor;
      if (survey.k === 'R') {
        const page = await db()
          .entities.surveyResponse.query.responsesBySurvey({ tenantId, surveyId: survey.id })
          .go({ cursor: survey.c ?? null, limit: itemsPerStep, attributes: ['responseId'] });
        await inParallel(page.data, async ({ responseId }) => {
          const response = (await db().entities.surveyResponse.get({ tenantId, responseId }).go({ consistent: true })).data;
          if (response) await applySourceItem(surveyResponseSource, response, generation);
        });
        return next({ s: 'S', survey: page.cursor ? { ...survey, c: page.cursor } : { id: survey.id, next: survey.next, k: 'I' } });
      }
      // Invitations never change what they count: the index's copy will do.
      const page = await db()
        .entities.surveyInvitation.query.invitationsBySurvey({ tenantId, surveyId: survey.id })
        .go({ cursor: survey.c ?? null, limit: itemsPerStep });
      await inParallel(page.data, (invitation) => applySourceItem(surveyInvitationSource, invitation, generation));
      if (page.cursor) return next({ s: 'S', survey: { ...survey, c: page.cursor } });
      return survey.next ? next({ s: 'S', c: survey.next }) : undefined;
    }
  }
}

/** Given a cursor of the replay, returns how far it is, from 0 to 1 (by source). */
export function replayProgress(at: string | undefined): number {
  if (!at) return 0;
  const { s } = JSON.parse(at) as ReplayCursor;
  return s === 'M' ? 0.1 : s === 'R' ? 0.4 : 0.7;
}

/** Given a tenant, returns every scope its program counters may have per report (for deleting a generation). */
export async function programScopes(tenantId: string): Promise<Record<DomainReport, string[]>> {
  const { data } = await db().entities.survey.query.surveysByShop({ tenantId }).go({ pages: 'all', attributes: ['surveyId'] });
  return { LOYALTY: [ALL_SCOPE], REFERRAL: [ALL_SCOPE], FEEDBACK: [ALL_SCOPE, ...data.map((survey) => survey.surveyId)] };
}
