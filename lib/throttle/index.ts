export { planOf, throttlePlans, type ThrottlePlan, type ThrottlePlanName } from './plans.js';
export { takeFromBucket, type ThrottleDecision } from './throttle.service.js';
