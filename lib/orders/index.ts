export type { OrderItem } from './orders.entities.js';
export { orderRecordInput, orderCancelInput, orderRefundInput, maxBatchSize, type OrderRecordInput } from './orders.inputs.js';
export { cancelOrder, getOrder, listOrdersForCustomer, recordOrder, refundOrder, type ShopContext } from './orders.service.js';
export { OrderNotFoundError, OrderConflictError, CurrencyMismatchError, GuestOrderError } from './orders.errors.js';
export { orderCancelled, orderEvents, orderRecorded, orderRefunded } from './orders.events.js';
