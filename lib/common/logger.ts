import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Structured logs and CloudWatch metrics (Powertools for AWS Lambda), one instance per container.
 *
 * Logs: JSON lines. In Lambda the level is INFO (one line per request or batch); elsewhere WARN, so
 * `npm run dev` and the tests print only problems. `LOG_LEVEL` (or `POWERTOOLS_LOG_LEVEL`) overrides.
 * Metrics: EMF lines on stdout, which CloudWatch turns into metrics in Lambda (no agent, no API
 * call). Outside Lambda they are off unless `POWERTOOLS_METRICS_DISABLED=false`.
 *
 * Never log a request's headers, variables or body: callers send keys, tokens and emails there.
 * As a second line of defence every logged string is scrubbed of anything shaped like one.
 */
export const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'retention-api';
const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'RetentionApi';

function inLambda(): boolean {
  return Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);
}

const secretShapes: Array<[RegExp, string]> = [
  [/\b[sp]k_[A-Za-z0-9_-]+/g, '[key]'],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[token]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
];

/** Given any string, returns it with keys, JWTs and email addresses replaced by placeholders. */
export function scrub(text: string): string {
  let out = text;
  for (const [shape, placeholder] of secretShapes) out = out.replace(shape, placeholder);
  return out;
}

export const logger = new Logger({
  serviceName,
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? (inLambda() ? 'INFO' : 'WARN')) as 'INFO',
  jsonReplacerFn: (_key: string, value: unknown) => (typeof value === 'string' ? scrub(value) : value),
});

/** Whether metric lines are printed: always in Lambda unless disabled, locally only when asked. */
export function metricsEnabled(): boolean {
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  return inLambda() ? disabled !== 'true' : disabled === 'false';
}

/**
 * A fresh metrics set for one request or batch, so concurrent requests in one process (`npm run
 * dev`) never mix their dimensions. Publish it once, at the end.
 */
export function newMetrics(): Metrics {
  return new Metrics({ namespace, serviceName });
}

export { MetricUnit };

/** What is safe to log of an error: its name, message and stack, scrubbed. */
export function errorFields(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) return { name: error.name, message: scrub(error.message), ...(error.stack ? { stack: scrub(error.stack) } : {}) };
  return { name: 'NonError', message: scrub(String(error)) };
}
