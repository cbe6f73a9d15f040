import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The API's CORS policy, one module for the Lambda in AWS and `npm run dev` (the local adapter
 * passes OPTIONS through to the same handler). A browser page may call the API from:
 * - the API's own origin (the dev console and explorer are served there);
 * - the console's origins (`CONSOLE_ORIGINS`, comma-separated: the deployed console site);
 * - the storefront origins a shop lists in its settings (`shopSettingsUpdate(allowedOrigins)`).
 *
 * A preflight carries no credentials, so it cannot tell which shop is asking: it is answered for
 * any well-formed origin with the methods and headers the API accepts, and the shop's list is
 * enforced on the actual request, which is refused (403, before anything runs) when its origin
 * is neither the console's nor the shop's. Requests without an Origin (servers, curl) are not
 * affected. Keys travel in headers, never cookies, so no credentials mode is offered.
 */
export const corsAllowedHeaders = ['authorization', 'content-type', 'x-customer-token'] as const;
export const corsAllowedMethods = ['GET', 'POST', 'OPTIONS'] as const;
/** How long a browser may reuse a preflight answer (Chromium caps it at 2 hours). */
export const corsMaxAgeSeconds = 7200;

const originPattern = /^https?:\/\/[^/?#\s]+$/;

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  return event.headers?.[name] ?? undefined;
}

/** The request's Origin when it is a real web origin (not `null`, not malformed). */
export function requestOrigin(event: APIGatewayProxyEventV2): string | undefined {
  const origin = header(event, 'origin');
  return origin && originPattern.test(origin) ? origin.toLowerCase() : undefined;
}

/** The console's deployed origins, from the environment. */
export function consoleOrigins(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.CONSOLE_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, '').toLowerCase())
    .filter((origin) => originPattern.test(origin));
}

function ownOrigin(event: APIGatewayProxyEventV2): string | undefined {
  const host = header(event, 'host') ?? event.requestContext?.domainName;
  if (!host) return undefined;
  return `${header(event, 'x-forwarded-proto') ?? 'https'}://${host}`.toLowerCase();
}

/** True when the origin may call the API whatever the shop: the API's own and the console's. */
export function isConsoleOrigin(event: APIGatewayProxyEventV2, origin: string): boolean {
  return origin === ownOrigin(event) || consoleOrigins().includes(origin);
}

/** True when a request from `origin` may act for a shop that lists `shopOrigins`. */
export function isOriginAllowed(event: APIGatewayProxyEventV2, origin: string, shopOrigins: readonly string[]): boolean {
  return isConsoleOrigin(event, origin) || shopOrigins.includes(origin);
}

/** The headers that let a page on `origin` read the response. */
export function corsResponseHeaders(origin: string): Record<string, string> {
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

/** The answer to `OPTIONS /graphql`: 204, with the CORS headers when it is a preflight. */
export function preflightResponse(event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 {
  const origin = requestOrigin(event);
  const method = header(event, 'access-control-request-method');
  const headers: Record<string, string> = { allow: corsAllowedMethods.join(', '), vary: 'Origin' };
  if (origin && method) {
    Object.assign(headers, corsResponseHeaders(origin), {
      'access-control-allow-methods': corsAllowedMethods.join(', '),
      'access-control-allow-headers': corsAllowedHeaders.join(', '),
      'access-control-max-age': String(corsMaxAgeSeconds),
    });
  }
  return { statusCode: 204, headers, body: '' };
}
