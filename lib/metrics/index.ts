export * from './periods.js';
export * from './contribution.js';
export * from './reports.js';
export * from './metrics.errors.js';
export { countCustomerActivities, listCustomerActivities, metricsStateVersion } from './activities.js';
export { getCustomerSegment } from './metrics.segments.js';
export { listCustomerIdsBySegment } from './metrics.segments.js';
export { RFM_GROUPS, type RfmGroup } from './segments.js';
export { metricsEvents, segmentEntered, segmentLeft } from './metrics.events.js';
