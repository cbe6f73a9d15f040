export { runIdempotent, isConditionFailure, type IdempotentCall } from './idempotency.service.js';
