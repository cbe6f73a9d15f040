import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray tracing (Powertools Tracer). Powertools turns it off outside Lambda (no AWS_EXECUTION_ENV),
 * so local runs and tests need no X-Ray daemon; `POWERTOOLS_TRACE_ENABLED=false` turns it off in
 * Lambda. Kept apart from the logger so that code that only logs does not load the X-Ray SDK.
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'retention-api' });

/**
 * Runs fn inside a subsegment named `name` of the current trace (a no-op without one), with the
 * cold start and service annotations Powertools' middleware would add.
 */
export async function traced<T>(name: string, fn: (annotate: (key: string, value: string) => void) => Promise<T>): Promise<T> {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!parent) return fn(() => {});
  const segment = parent.addNewSubsegment(name);
  tracer.setSegment(segment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await fn((key, value) => tracer.putAnnotation(key, value));
  } catch (error) {
    segment.addError(error as Error);
    throw error;
  } finally {
    segment.close();
    tracer.setSegment(parent);
  }
}
