// The stored items the resolvers receive as parents (GraphQL Code Generator maps SDL types to them).
export type { CustomerItem as CustomerModel } from '../customers/index.js';
export type { OrderItem as OrderModel } from '../orders/index.js';
export type { ApiKeyItem as ApiKeyModel, ShopItem as ShopModel } from '../shops/index.js';
export type { FeedbackFollowUpItem as FeedbackFollowUpModel, SurveyInvitationItem as SurveyInvitationModel, SurveyItem as SurveyModel, SurveyResponseItem as SurveyResponseModel } from '../surveys/index.js';
export type { LoyaltyAccountModel, LoyaltyCouponModel, LoyaltyEntryModel, LoyaltyProgramModel, LoyaltyRewardModel } from '../loyalty/index.js';
export type { CustomerPredictionView as CustomerPredictionModel, PredictionJobItem as PredictionJobModel } from './resolvers/predictions.js';
export type { ReferralProgramModel, ReferralModel, ReferralCouponModel, CustomerReferralModel } from '../referrals/index.js';
export type { WebhookDeliveryItem as WebhookDeliveryModel, WebhookSubscriptionItem as WebhookSubscriptionModel } from '../webhooks/index.js';
export type { EventItem as EventModel } from '../events/index.js';
