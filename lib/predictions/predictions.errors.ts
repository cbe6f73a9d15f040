/** Base class of the predictions domain's errors. */
export class PredictionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A purchase the summaries cannot use: a non-integer amount, an invalid instant. */
export class InvalidPurchaseError extends PredictionError {
  constructor(
    readonly field: 'at' | 'amount',
    readonly value: unknown,
  ) {
    super(`invalid purchase ${field}: ${String(value)}`);
  }
}

/** A customer summary outside the model's domain (negative x, t_x > T, ...). */
export class InvalidSummaryError extends PredictionError {
  constructor(
    readonly field: string,
    readonly value: unknown,
  ) {
    super(`invalid customer summary ${field}: ${String(value)}`);
  }
}

/** A quantity the fitted parameters leave undefined, e.g. the population mean spend when q <= 1. */
export class UndefinedExpectationError extends PredictionError {
  constructor(readonly quantity: string) {
    super(`${quantity} is undefined for these model parameters`);
  }
}
