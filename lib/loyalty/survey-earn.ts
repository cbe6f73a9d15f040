import type { EventEnvelope, EventHandler } from '../events/index.js';
import { getShop } from '../shops/index.js';
import { ActionNotAllowedError, LoyaltyCustomerNotFoundError, NotAMemberError, ProgramNotFoundError } from './loyalty.errors.js';
import { recordAction } from './loyalty.service.js';

/** What loyalty reads of `survey.response_submitted` (declared by surveys; only the fields it needs). */
interface ResponseSubmitted {
  surveyId: string;
  customerId?: string;
  submittedAt: string;
}

/**
 * A completed survey earns the SURVEY_COMPLETED bonus once per survey and customer (receipt
 * `ACTION#SURVEY_COMPLETED#SURVEY#<surveyId>`), even when the survey allows repeat answers or the
 * stream redelivers the event. A shop without a program or with the rule off earns nothing.
 */
export const surveyCompletedEarnHandler: EventHandler = {
  name: 'loyalty.survey-earn',
  types: ['survey.response_submitted'],
  async handle(event: EventEnvelope) {
    const response = event.data as ResponseSubmitted;
    if (!response.customerId) return;
    const shop = await getShop(event.shopId);
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
