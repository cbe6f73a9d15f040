import { getShop } from '../shops/index.js';
import type { ItemChange, Projection } from '../streams/handler.js';
import { ActionNotAllowedError, LoyaltyCustomerNotFoundError, NotAMemberError, ProgramNotFoundError } from './loyalty.errors.js';
import { recordAction } from './loyalty.service.js';

interface ResponseImage {
  tenantId: string;
  surveyId: string;
  customerId?: string;
  submittedAt: string;
}

/**
 * A completed survey earns the SURVEY_COMPLETED bonus once per survey and customer (receipt
 * `ACTION#SURVEY_COMPLETED#SURVEY#<surveyId>`), even when the survey allows repeat answers or the
 * stream redelivers the response. A shop without a program or with the rule off earns nothing.
 */
export const surveyCompletedEarnProjection: Projection = {
  name: 'loyalty-survey-completed',
  accepts: (change: ItemChange) => change.entity === 'surveyresponse' && change.eventName === 'INSERT',
  async apply(change: ItemChange) {
    const response = change.newImage as ResponseImage | undefined;
    if (!response?.customerId) return;
    const shop = await getShop(response.tenantId);
    if (!shop) return;
    try {
      await recordAction(
        { tenantId: shop.tenantId, currencyCode: shop.currencyCode, timeZone: shop.timeZone },
        response.customerId,
        { action: 'SURVEY_COMPLETED', idempotencyKey: `SURVEY#${response.surveyId}`, at: response.submittedAt },
        response.submittedAt,
      );
    } catch (error) {
      // Business refusals (no program, rule off or over its limit, not a member) earn nothing.
      const refused = [ProgramNotFoundError, ActionNotAllowedError, NotAMemberError, LoyaltyCustomerNotFoundError].some((type) => error instanceof type);
      if (!refused) throw error;
    }
  },
};
