import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { errorFields, logger, metricsEnabled, MetricUnit, newMetrics } from '../common/logger.js';
import { traced } from '../common/tracer.js';
import { newMeter, withMeter } from '../db/client.js';
import type { GraphQLContext } from './context.js';

/**
 * One log line, one set of metric lines and one trace subsegment per GraphQL request.
 *
 * The operation is named from the schema, not from the caller: `query customers` or `mutation
 * orderRecord` (root fields, sorted, joined by `,`), so a metric dimension can only take as many
 * values as the schema has root fields. The caller's `operationName` is logged, never a
 * dimension. Nothing of the request's headers, variables or body is logged.
 */
interface RequestObservation {
  operation: string;
  operationName?: string;
  shop?: string;
  errorCodes: string[];
}

const observations = new AsyncLocalStorage<RequestObservation>();

function operationOf(operation: OperationDefinitionNode): string {
  const fields = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : ['…']));
  return `${operation.operation} ${[...new Set(fields)].sort().join(',')}`;
}

/** Fills in the current request's observation from Apollo's request pipeline. */
export function observabilityPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      const observation = observations.getStore();
      if (!observation) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (operation) observation.operation = operationOf(operation);
          if (operationName) observation.operationName = operationName;
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) observation.errorCodes.push(String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
        },
        async willSendResponse({ contextValue }) {
          // Undefined when authentication failed.
          const shop = (contextValue as Partial<GraphQLContext> | undefined)?.shop;
          if (shop) observation.shop = shop.tenantId;
        },
      };
    },
  };
}

type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context, callback: () => void) => void | Promise<APIGatewayProxyResultV2>;

/** Codes of a response's top-level errors when Apollo's plugins never saw them (e.g. a 401 from context). */
function codesInBody(body: string | undefined): string[] {
  if (!body || !body.includes('"errors"')) return [];
  try {
    const parsed = JSON.parse(body) as { errors?: Array<{ extensions?: { code?: unknown } }> };
    return (parsed.errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
  } catch {
    return [];
  }
}

/** Wraps the GraphQL Lambda handler with the request's log line, metrics and trace. */
export function observeGraphQL<H extends LambdaHandler>(handler: H): H {
  const observed = async (event: APIGatewayProxyEventV2, context: Context, callback: () => void) => {
    const started = performance.now();
    const meter = newMeter();
    const observation: RequestObservation = { operation: 'unresolved', errorCodes: [] };
    if (context?.awsRequestId) logger.addContext(context);
    const outcome = await traced('## graphql', async (annotate) => {
      let settled: { result?: APIGatewayProxyResultV2 | void; thrown?: unknown };
      try {
        settled = { result: await observations.run(observation, () => withMeter(meter, async () => handler(event, context, callback))) };
      } catch (error) {
        settled = { thrown: error };
      }
      annotate('operation', observation.operation);
      if (observation.shop) annotate('shop', observation.shop);
      return settled;
    });
    const { result, thrown } = outcome;
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const structured = typeof result === 'object' ? result : undefined;
    const statusCode = thrown ? 500 : (structured?.statusCode ?? 200);
    // Refused before Apollo parsed it (authentication runs first): named by what happened.
    if (observation.operation === 'unresolved' && statusCode === 401) observation.operation = 'unauthenticated';
    const errorCodes = observation.errorCodes.length > 0 ? observation.errorCodes : codesInBody(structured?.body);
    const fields = {
      requestId: event.requestContext?.requestId,
      shop: observation.shop,
      operation: observation.operation,
      operationName: observation.operationName,
      statusCode,
      durationMs,
      dynamodb: { requests: meter.requests, readCapacity: meter.readCapacity, writeCapacity: meter.writeCapacity, byCommand: meter.byCommand },
      ...(errorCodes.length > 0 ? { errorCodes } : {}),
      ...(thrown ? { error: errorFields(thrown) } : {}),
    };
    if (thrown || statusCode >= 500) logger.error('graphql request failed', fields);
    else logger.info('graphql request', fields);
    if (metricsEnabled()) publishRequestMetrics(observation.operation, durationMs, meter, errorCodes);
    if (thrown) throw thrown;
    return result;
  };
  return observed as unknown as H;
}

function publishRequestMetrics(operation: string, durationMs: number, meter: ReturnType<typeof newMeter>, errorCodes: string[]): void {
  const metrics = newMetrics();
  metrics.addDimension('operation', operation);
  metrics.addMetric('Latency', MetricUnit.Milliseconds, durationMs);
  metrics.addMetric('Requests', MetricUnit.Count, 1);
  metrics.addMetric('Errors', MetricUnit.Count, errorCodes.length > 0 ? 1 : 0);
  metrics.addMetric('Throttles', MetricUnit.Count, errorCodes.includes('THROTTLED') ? 1 : 0);
  metrics.addMetric('DynamoDBRequests', MetricUnit.Count, meter.requests);
  metrics.addMetric('ConsumedReadCapacity', MetricUnit.Count, meter.readCapacity);
  metrics.addMetric('ConsumedWriteCapacity', MetricUnit.Count, meter.writeCapacity);
  metrics.publishStoredMetrics();
  // Errors by code: a second dimension set (operation, code), one line per distinct code.
  for (const code of new Set(errorCodes)) {
    const byCode = newMetrics();
    byCode.addDimensions({ operation, code });
    byCode.addMetric('ErrorsByCode', MetricUnit.Count, errorCodes.filter((c) => c === code).length);
    byCode.publishStoredMetrics();
  }
}
