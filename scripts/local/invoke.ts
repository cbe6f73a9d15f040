import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { createGraphQLHandler } from '../../lib/graphql/server.js';

/**
 * Calling the GraphQL Lambda handler in-process with the events API Gateway would send: the
 * tests, the seed and the bench go through the very handler that runs in AWS.
 */
/** An API Gateway HTTP API (v2) event as AWS delivers it for `POST /graphql`. */
export function apiGatewayEvent(body: string, headers: Record<string, string>): APIGatewayProxyEventV2 {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: 'POST /graphql',
    rawPath: '/graphql',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path: '/graphql', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: 'POST /graphql',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    body,
    isBase64Encoded: false,
  };
}

const lambdaContext = { functionName: 'graphql', awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data: T | null | undefined;
  errors: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }> | undefined;
  extensions: Record<string, any> | undefined;
  headers: Record<string, string>;
  raw: string;
}

export type TestHandler = ReturnType<typeof createGraphQLHandler>;

/** Sends one GraphQL request through the real Lambda handler, as API Gateway would. */
export async function callGraphQL<T = Record<string, any>>(
  handler: TestHandler,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const result = (await handler(apiGatewayEvent(JSON.stringify({ query, variables }), headers), lambdaContext, () => {})) as APIGatewayProxyStructuredResultV2;
  const raw = String(result.body ?? '');
  const parsed = raw ? JSON.parse(raw) : {};
  const responseHeaders = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { status: result.statusCode ?? 200, data: parsed.data, errors: parsed.errors, extensions: parsed.extensions, headers: responseHeaders, raw };
}

