export { referralProjection } from './referrals.projection.js';
export { runReferralCompletion } from './referrals.jobs.js';
export { completeDueReferrals, getReferral, getReferralProgram, loadCustomerReferral } from './referrals.service.js';
export type { ReferralProgramItem as ReferralProgramModel, ReferralItem as ReferralModel, ReferralCouponItem as ReferralCouponModel } from './referrals.entities.js';
export type { CustomerReferralSummary as CustomerReferralModel } from './referrals.service.js';
export { referralEvents } from './referrals.events.js';
