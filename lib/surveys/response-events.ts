import type { TxEntities, TxItem } from '../db/transactions.js';
import { eventTxItem } from '../events/index.js';
import type { FeedbackFollowUpItem, SurveyResponseItem } from './surveys.entities.js';
import { feedbackDetractor, feedbackPromoter, surveyResponseSubmitted } from './surveys.events.js';

/**
 * The events a stored response publishes, as items of its own transaction (keyed by the response
 * id, which is new per submit: a refused or contended submit publishes nothing, a stored one once).
 */
export function responseEventItems(entities: TxEntities, response: SurveyResponseItem, followUp: FeedbackFollowUpItem | null, now: Date): TxItem[] {
  const clock = { now: () => now };
  const shopId = response.tenantId;
  const occurredAt = response.submittedAt;
  const items = [
    eventTxItem(entities, surveyResponseSubmitted, {
      shopId,
      factKey: response.responseId,
      occurredAt,
      data: {
        responseId: response.responseId,
        surveyId: response.surveyId,
        kind: response.kind,
        customerId: response.customerId!,
        orderId: response.orderId ?? null,
        channel: response.channel,
        score: response.score,
        npsCategory: response.npsCategory ?? null,
        hasComment: response.hasComment,
        submittedAt: response.submittedAt,
      },
    }, clock),
  ];
  if (followUp) {
    items.push(
      eventTxItem(entities, feedbackDetractor, {
        shopId,
        factKey: followUp.followUpId,
        occurredAt,
        data: {
          followUpId: followUp.followUpId,
          responseId: followUp.responseId,
          surveyId: followUp.surveyId,
          customerId: followUp.customerId,
          reason: followUp.reason,
          score: followUp.score,
          status: 'OPEN',
          createdAt: followUp.createdAt,
        },
      }, clock),
    );
  }
  if (response.npsCategory === 'PROMOTER') {
    items.push(
      eventTxItem(entities, feedbackPromoter, {
        shopId,
        factKey: response.responseId,
        occurredAt,
        data: { responseId: response.responseId, surveyId: response.surveyId, customerId: response.customerId!, score: response.score, submittedAt: response.submittedAt },
      }, clock),
    );
  }
  return items;
}
