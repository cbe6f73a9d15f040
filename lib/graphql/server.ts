import '../app/entities.js';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { systemClock, type Clock } from '../common/clock.js';
import { authenticate } from './auth.js';
import { buildContext, type GraphQLContext } from './context.js';
import { corsResponseHeaders, isConsoleOrigin, isOriginAllowed, preflightResponse, requestOrigin } from './cors.js';
import { explorerResponse, explorerSettings, wantsExplorer } from './explorer.js';
import { limits } from './limits.js';
import { observabilityPlugin, observeGraphQL } from './observability.js';
import { errorFields, logger } from '../common/logger.js';
import { assertCursorSecretConfigured } from './cursors.js';
import { inputGuardPlugin } from './input-guard.js';
import { resolvers, typeDefs } from './schema.js';
import { costPlugin } from './throttle.js';

export interface GraphQLHandlerOptions {
  clock?: Clock;
  /** Production hides internal messages and stack traces and turns introspection off. */
  production?: boolean;
  introspection?: boolean;
  /** Cost-based throttling per key (on unless turned off: tests with a stopped clock, the bench's baseline). */
  throttle?: boolean;
}

/** Codes whose messages are written for the caller; anything else is an internal fault. */
const callerCodes = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'QUERY_TOO_COMPLEX',
  'PAYLOAD_TOO_LARGE',
  'THROTTLED',
]);

/** graphql-js's "Did you mean ...?" names fields and types: with introspection off it would leak the schema. */
const suggestion = / ?Did you mean .*\?$/;

function formatErrorFor(production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    if (callerCodes.has(code)) {
      if (!production) return formatted;
      const retry = code === 'THROTTLED' ? { retryAfterSeconds: formatted.extensions?.retryAfterSeconds } : {};
      return { ...formatted, message: formatted.message.replace(suggestion, ''), extensions: { code, ...retry } };
    }
    // A fault: log it for us (no request data, so no secrets), tell the caller nothing internal.
    logger.error('GraphQL fault', { path: formatted.path, error: errorFields((error as { originalError?: unknown })?.originalError ?? error) });
    if (!production) return formatted;
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** The Apollo server for the schema (no transport): used by the Lambda handler. */
export function createApolloServer(options: { production: boolean; introspection: boolean; throttle?: boolean }): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    typeDefs,
    resolvers: resolvers as never,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: !options.production,
    csrfPrevention: true,
    formatError: formatErrorFor(options.production),
    // Apollo's own landing page loads from a CDN; the explorer is ours (./explorer.ts).
    plugins: [inputGuardPlugin(), costPlugin({ typeDefs, throttle: options.throttle ?? true }), observabilityPlugin(), ApolloServerPluginLandingPageDisabled()],
  });
}

function forbiddenOrigin(origin: string): GraphQLError {
  return new GraphQLError(`Requests from ${origin} are not allowed for this shop: add it to the shop's allowedOrigins (shopSettingsUpdate)`, {
    extensions: { code: 'FORBIDDEN', http: { status: 403 } },
  });
}

function isProduction(): boolean {
  return process.env.NODE_ENV === 'production';
}

/**
 * Builds the Lambda handler for `POST /graphql` behind an API Gateway HTTP API (v2 events): the
 * same function runs in AWS and under `npm run dev` and the tests.
 */
export function createGraphQLHandler(options: GraphQLHandlerOptions = {}) {
  const clock = options.clock ?? systemClock;
  // A missing secret fails the cold start, not the first request that pages.
  assertCursorSecretConfigured();
  const production = options.production ?? isProduction();
  const introspection = options.introspection ?? (process.env.GRAPHQL_INTROSPECTION ? process.env.GRAPHQL_INTROSPECTION === 'true' : !production);
  const server = createApolloServer({ production, introspection, throttle: options.throttle ?? true });
  const explorer = explorerSettings(production);
  // Requests whose Origin the shop allows, recorded by the context for the response's headers.
  const allowedByShop = new WeakSet<APIGatewayProxyEventV2>();
  const requestHandler = handlers.createAPIGatewayProxyEventV2RequestHandler();
  return observeGraphQL(startServerAndCreateLambdaHandler<typeof requestHandler, GraphQLContext & BaseContext>(server, requestHandler, {
    middleware: [
      // CORS and the explorer (./cors.ts): a preflight never reaches Apollo, so its CSRF
      // prevention sees only the actual requests, which a browser sends as application/json.
      async (event: APIGatewayProxyEventV2) => {
        if (event.requestContext.http.method === 'OPTIONS') return preflightResponse(event);
        if (explorer.enabled && wantsExplorer(event)) return explorerResponse(event, explorer);
        const origin = requestOrigin(event);
        if (!origin) return;
        return async (result) => {
          if (isConsoleOrigin(event, origin) || allowedByShop.has(event)) Object.assign((result.headers ??= {}), corsResponseHeaders(origin));
        };
      },
      async (event: APIGatewayProxyEventV2) => {
        const size = event.body ? Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : 0;
        if (size > limits.maxBodyBytes) {
          return {
            statusCode: 413,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ errors: [{ message: `Request body exceeds ${limits.maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }),
          };
        }
      },
    ],
    context: async ({ event }) => {
      const { shop, principal } = await authenticate(event.headers ?? {}, clock);
      const origin = requestOrigin(event);
      if (origin) {
        if (!isOriginAllowed(event, origin, shop.allowedOrigins ?? [])) throw forbiddenOrigin(origin);
        allowedByShop.add(event);
      }
      return buildContext(shop, principal, clock);
    },
  }));
}

