import type { Context } from 'aws-lambda';
import { errorFields, logger, metricsEnabled, MetricUnit, newMetrics } from '../common/logger.js';
import { traced } from '../common/tracer.js';
import { newMeter, withMeter } from '../db/client.js';

/**
 * Wraps a scheduled function (lib/app/schedules.ts) with its log line (name, duration, DynamoDB
 * requests and capacity, the job's own summary counts), metrics and trace subsegment. A failure is
 * logged and rethrown, so EventBridge Scheduler sees it.
 */
export function observeJob<R extends Record<string, unknown> | void>(operation: string, run: () => Promise<R>) {
  return async (_event?: unknown, context?: Context): Promise<void> => {
    const started = performance.now();
    const meter = newMeter();
    if (context?.awsRequestId) logger.addContext(context);
    let failure: unknown;
    let summary: R | undefined;
    await traced(`## ${operation}`, async (annotate) => {
      annotate('operation', operation);
      try {
        summary = await withMeter(meter, run);
      } catch (error) {
        failure = error;
      }
    });
    const durationMs = Math.round(performance.now() - started);
    const fields = {
      operation,
      durationMs,
      dynamodb: { requests: meter.requests, readCapacity: meter.readCapacity, writeCapacity: meter.writeCapacity },
      ...(summary ? { result: summary } : {}),
      ...(failure ? { error: errorFields(failure) } : {}),
    };
    if (failure) logger.error(`${operation} failed`, fields);
    else logger.info(operation, fields);
    if (metricsEnabled()) {
      const metrics = newMetrics();
      metrics.addDimension('operation', operation);
      metrics.addMetric('Latency', MetricUnit.Milliseconds, durationMs);
      metrics.addMetric('Errors', MetricUnit.Count, failure ? 1 : 0);
      metrics.addMetric('DynamoDBRequests', MetricUnit.Count, meter.requests);
      metrics.publishStoredMetrics();
    }
    if (failure) throw failure;
  };
}
