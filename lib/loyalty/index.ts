export { loyaltyProjection } from './loyalty.projection.js';
export { getMember as getLoyaltyMember } from './loyalty.service.js';
export { expireDuePoints, reevaluateTiers, earnForOrder, reverseForRefund, reverseForCancellation, type LoyaltyShop } from './loyalty.service.js';
export type { LoyaltyMemberItem, LoyaltyProgramItem, LoyaltyRewardItem, LoyaltyCouponItem } from './loyalty.entities.js';
export type {
  LoyaltyProgramItem as LoyaltyProgramModel,
  LoyaltyRewardItem as LoyaltyRewardModel,
  LoyaltyCouponItem as LoyaltyCouponModel,
  StoredEntry as LoyaltyEntryModel,
} from './loyalty.entities.js';
export type { LoyaltyStatement as LoyaltyAccountModel } from './loyalty.service.js';
export { runLoyaltyExpiry, runTierReevaluation } from './loyalty.jobs.js';
export { creditReferralPoints, grantReferralReward, recordSocialShareAction } from './referral-credit.js';
export { surveyCompletedEarnHandler } from './survey-earn.js';
export { loyaltyEvents } from './loyalty.events.js';
