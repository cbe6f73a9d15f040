export type { FeedbackFollowUpItem, SurveyInvitationItem, SurveyItem, SurveyResponseItem } from './surveys.entities.js';
export { eraseCustomerFeedback, latestNpsCategory, schedulePostPurchaseInvitations } from './surveys.service.js';
export { npsCategory, nps, satisfaction, effort, responseRate, type NpsCategory } from './scores.js';
export { surveyProjections } from './surveys.projections.js';
export { surveyEvents, surveyResponseSubmitted } from './surveys.events.js';
