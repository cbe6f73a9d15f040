export {
  applyPurchase,
  DAYS_PER_UNIT,
  emptySummaryState,
  localDayNumber,
  summarizePurchases,
  summarizeState,
  summaryStateOf,
  type CustomerSummary,
  type Purchase,
  type SummarizeOptions,
  type SummaryState,
  type TimeUnit,
} from './summary.js';
export {
  bgNbdLogLikelihood,
  distinctRowCount,
  expectedPurchases,
  expectedPurchasesNewCustomer,
  fitBgNbd,
  probabilityAlive,
  type BgNbdFit,
  type BgNbdParams,
  type FrequencyRecency,
} from './bgnbd.js';
export {
  expectedAverageValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  type FrequencyValue,
  type GammaGammaFit,
  type GammaGammaParams,
} from './gammagamma.js';
export {
  assessData,
  fitPredictionModels,
  MIN_CUSTOMERS,
  MIN_REPEAT_BUYERS,
  MIN_REPEAT_BUYERS_FOR_SPEND,
  NEXT_ORDER_MAX_DAYS,
  predictCustomer,
  type CustomerPrediction,
  type DataAssessment,
  type ModelFit,
  type PredictionModels,
} from './clv.js';
export { backtest, BACKTEST_TOP_GROUP, type BacktestOptions, type BacktestResult, type BacktestRow } from './backtest.js';
export { simulateCustomers, type SimulatedCustomer, type SimulationOptions } from './simulate.js';
export {
  InvalidPurchaseError,
  InvalidSummaryError,
  PredictionError,
  UndefinedExpectationError,
} from './predictions.errors.js';
export {
  backtestPredictions,
  getPredictionModel,
  listCustomerIdsByPrediction,
  queuePredictionRefresh,
  refreshPredictions,
  runPendingPredictionJobs,
  runScheduledPredictions,
} from './predictions.service.js';
