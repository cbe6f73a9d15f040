import { Service } from 'electrodb';
import { CustomerEntity, CustomerRefEntity } from '../customers/customers.entities.js';
import { IdempotencyEntity } from '../idempotency/idempotency.entities.js';
import { LoyaltyCouponEntity, LoyaltyEntryEntity, LoyaltyMemberEntity, LoyaltyProgramEntity, LoyaltyReceiptEntity, LoyaltyRewardEntity } from '../loyalty/loyalty.entities.js';
import { DomainCounterEntity, DomainItemMarkEntity } from '../metrics/domain-reports.entities.js';
import { MetricsActivityEntity, MetricsCounterEntity, MetricsRebuildJobEntity, MetricsSegmentRunEntity, MetricsStateEntity } from '../metrics/metrics.entities.js';
import { MetricsCategoryPurchaseEntity, MetricsOrderPurchaseEntity, MetricsProductDayEntity, MetricsSegmentMemberEntity } from '../metrics/metrics.segment-entities.js';
import { OrderEntity } from '../orders/orders.entities.js';
import { CustomerPredictionEntity, PredictionJobEntity, PredictionModelEntity } from '../predictions/predictions.entities.js';
import { ApiKeyEntity, ShopEntity, ShopSyncEntity } from '../shops/shops.entities.js';
import { FeedbackFollowUpEntity, SurveyClaimEntity, SurveyEntity, SurveyInvitationEntity, SurveyResponseEntity } from '../surveys/surveys.entities.js';
import { ThrottleBucketEntity } from '../throttle/throttle.entities.js';
import { ReferralCodeEntity, ReferralCounterEntity, ReferralCouponEntity, ReferralEntity, ReferralMemberEntity, ReferralProgramEntity, ReferralRefereeEntity } from '../referrals/referrals.entities.js';
import { StreamDeadLetterEntity } from '../streams/dead-letters.entities.js';
import { EventEntity } from '../events/events.entities.js';
import { WebhookDeliveryEntity, WebhookSubscriptionEntity } from '../webhooks/webhooks.entities.js';
import { dynamo, tableName } from './client.js';

/** Every entity of the single table, composed once. Nothing else builds a key. */
function compose() {
  return new Service(
    {
      shop: ShopEntity,
      apiKey: ApiKeyEntity,
      shopSync: ShopSyncEntity,
      customer: CustomerEntity,
      customerRef: CustomerRefEntity,
      order: OrderEntity,
      idempotency: IdempotencyEntity,
      predictionModel: PredictionModelEntity, predictionJob: PredictionJobEntity, customerPrediction: CustomerPredictionEntity,
      survey: SurveyEntity, surveyResponse: SurveyResponseEntity, surveyClaim: SurveyClaimEntity, surveyInvitation: SurveyInvitationEntity, feedbackFollowUp: FeedbackFollowUpEntity,
      loyaltyProgram: LoyaltyProgramEntity, loyaltyReward: LoyaltyRewardEntity, loyaltyMember: LoyaltyMemberEntity, loyaltyEntry: LoyaltyEntryEntity, loyaltyReceipt: LoyaltyReceiptEntity, loyaltyCoupon: LoyaltyCouponEntity,
      referralProgram: ReferralProgramEntity, referralCode: ReferralCodeEntity, referralMember: ReferralMemberEntity, referral: ReferralEntity, referralReferee: ReferralRefereeEntity, referralCounter: ReferralCounterEntity, referralCoupon: ReferralCouponEntity,
      metricsState: MetricsStateEntity,
      metricsActivity: MetricsActivityEntity,
      metricsCounter: MetricsCounterEntity,
      metricsRebuildJob: MetricsRebuildJobEntity,
      metricsSegmentRun: MetricsSegmentRunEntity,
      domainCounter: DomainCounterEntity, domainItemMark: DomainItemMarkEntity,
      throttleBucket: ThrottleBucketEntity,
      streamDeadLetter: StreamDeadLetterEntity,
      event: EventEntity,
      webhookSubscription: WebhookSubscriptionEntity, webhookDelivery: WebhookDeliveryEntity,
      metricsSegmentMember: MetricsSegmentMemberEntity, metricsCategoryPurchase: MetricsCategoryPurchaseEntity, metricsOrderPurchase: MetricsOrderPurchaseEntity, metricsProductDay: MetricsProductDayEntity,
    },
    { client: dynamo().doc, table: tableName() },
  );
}

export type Db = ReturnType<typeof compose>;

let composed: { db: Db; client: unknown; table: string } | undefined;

/** The composed service for the current client and table (rebuilt when tests switch tables). */
export function db(): Db {
  const client = dynamo().doc;
  if (!composed || composed.client !== client || composed.table !== tableName()) {
    composed = { db: compose(), client, table: tableName() };
  }
  return composed.db;
}
