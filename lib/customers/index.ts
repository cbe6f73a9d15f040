export type { CustomerItem } from './customers.entities.js';
export { customerUpsertInput, customerFilterInput, normalizeEmail, type CustomerUpsertInput, type CustomerFilterInput } from './customers.inputs.js';
export {
  customerWriteItems,
  eraseCustomer,
  findCustomerByEmail,
  findCustomerByExternalId,
  getCustomer,
  getCustomersByIds,
  listCustomersForShop,
  planCustomerForOrder,
  upsertCustomer,
  type CustomerPlan,
} from './customers.service.js';
export { averageDaysBetweenOrders, averageOrderValue, statisticsFromOrders, withOrderCounted, type CustomerStatistics } from './statistics.js';
export { CustomerNotFoundError, CustomerErasedError } from './customers.errors.js';
export { customerBirthdayUpcoming, customerCreated, customerErased, customerEvents, customerNewsletterSubscribed } from './customers.events.js';
export { RFM_GROUPS, type RfmGroup } from './rfm-groups.js';
