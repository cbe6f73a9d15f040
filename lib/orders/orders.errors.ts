import { DomainError } from '../common/errors.js';

/** Base of the orders domain's business failures. */
export abstract class OrderError extends DomainError {}

export class OrderNotFoundError extends OrderError {
  readonly code = 'NOT_FOUND' as const;
  constructor(readonly orderId: string) {
    super(`No order "${orderId}"`, ['orderId']);
  }
}

/** The order id was recorded before with a different payload. */
export class OrderConflictError extends OrderError {
  readonly code = 'CONFLICT' as const;
  constructor(readonly orderId: string) {
    super(`Order "${orderId}" was already recorded with different data`, ['orderId']);
  }
}

export class CurrencyMismatchError extends OrderError {
  readonly code = 'CURRENCY_MISMATCH' as const;
  constructor(readonly shopCurrency: string, readonly orderCurrency: string) {
    super(`The shop's currency is ${shopCurrency}; send amounts in ${shopCurrency}, not ${orderCurrency}`, ['currencyCode']);
  }
}

export class GuestOrderError extends OrderError {
  readonly code = 'GUEST_ORDER' as const;
  constructor() {
    super('An order needs a customer externalId or email; guest orders without either cannot be attributed', ['customer']);
  }
}

export class RefundConflictError extends OrderError {
  readonly code = 'CONFLICT' as const;
  constructor(readonly refundId: string) {
    super(`Refund "${refundId}" was already recorded with a different amount`, ['refundId']);
  }
}

export class RefundExceedsTotalError extends OrderError {
  readonly code = 'REFUND_EXCEEDS_TOTAL' as const;
  constructor(readonly refundable: number, readonly requested: number) {
    super(`Only ${refundable} (minor units) is left to refund; ${requested} was requested`, ['amount']);
  }
}
