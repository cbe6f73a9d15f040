import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2 | string>;

export interface ApiGatewayServerOptions {
  port: number;
  host?: string;
  handler: HttpApiHandler;
  /** Larger request bodies get 413 without reaching the handler. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Paths routed to the handler, for any method. Default `['/graphql']`. */
  routes?: string[];
  /** Reported in the Lambda context. Default `graphql`. */
  functionName?: string;
  /** What `context.getRemainingTimeInMillis()` counts down from. Default 30 s, API Gateway's cap. */
  timeoutMs?: number;
  /** Serves `GET /health` (functions/health.ts under `npm run dev`); without it, a constant `ok`. */
  healthHandler?: HttpApiHandler;
}

export interface ApiGatewayServer {
  /** The first route's URL on the bound port, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  close(): Promise<void>;
}

const ACCOUNT_ID = '123456789012';
const API_ID = 'local';
const JSON_TYPE = 'application/json';
const TOO_LARGE_BODY = JSON.stringify({
  errors: [{ message: 'Request body too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
});
// What API Gateway itself answers when the integration fails: no detail ever reaches the caller.
const INTERNAL_ERROR_BODY = JSON.stringify({ message: 'Internal Server Error' });
const NOT_FOUND_BODY = JSON.stringify({ message: 'Not Found' });
// Once we have answered 413, a client still sending gets this long before we hang up on it.
const OVERSIZE_GRACE_MS = 1_000;

/**
 * Given a Lambda handler written for an API Gateway HTTP API (payload format 2.0), serves it over
 * node:http: each request on one of `routes` becomes the event and context API Gateway and Lambda
 * would build, and the handler's result becomes the HTTP response. Also answers `GET /health`.
 * Resolves once listening (port 0 picks a free port; `url` carries the real one).
 */
export async function startApiGatewayServer(options: ApiGatewayServerOptions): Promise<ApiGatewayServer> {
  const host = options.host ?? '127.0.0.1';
  const routes = options.routes ?? ['/graphql'];
  const settings: RequestSettings = {
    handler: options.handler,
    maxBodyBytes: options.maxBodyBytes ?? 1_048_576,
    routes: new Set(routes),
    functionName: options.functionName ?? 'graphql',
    timeoutMs: options.timeoutMs ?? 30_000,
    healthHandler: options.healthHandler,
  };

  const server = createServer((req, res) => {
    serve(req, res, settings).catch((error: unknown) => {
      logError('request failed', error);
      if (!res.headersSent) send(res, 502, INTERNAL_ERROR_BODY, { 'content-type': JSON_TYPE });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}${routes[0] ?? '/'}`,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

interface RequestSettings {
  handler: HttpApiHandler;
  maxBodyBytes: number;
  routes: Set<string>;
  functionName: string;
  timeoutMs: number;
  healthHandler: HttpApiHandler | undefined;
}

async function serve(req: IncomingMessage, res: ServerResponse, settings: RequestSettings): Promise<void> {
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : target.slice(queryAt + 1);

  if (rawPath === '/health' && method === 'GET') {
    if (!settings.healthHandler) {
      send(res, 200, 'ok', { 'content-type': 'text/plain; charset=utf-8' });
      return;
    }
    req.resume();
    const startedAt = Date.now();
    const event = toEvent(req, { method, rawPath, rawQueryString, body: Buffer.alloc(0), startedAt });
    writeResult(res, await settings.healthHandler(event, toContext({ ...settings, functionName: 'health' }, event.requestContext.requestId, startedAt)));
    return;
  }
  if (!settings.routes.has(rawPath)) {
    req.resume();
    send(res, 404, NOT_FOUND_BODY, { 'content-type': JSON_TYPE });
    return;
  }

  const body = await readBody(req, settings.maxBodyBytes);
  if (body === undefined) {
    rejectOversizedBody(req, res);
    return;
  }

  const startedAt = Date.now();
  const event = toEvent(req, { method, rawPath, rawQueryString, body, startedAt });
  const context = toContext(settings, event.requestContext.requestId, startedAt);

  let result: APIGatewayProxyStructuredResultV2 | string;
  try {
    result = await settings.handler(event, context);
  } catch (error) {
    logError(`handler failed for ${event.routeKey} (request ${event.requestContext.requestId})`, error);
    send(res, 502, INTERNAL_ERROR_BODY, { 'content-type': JSON_TYPE });
    return;
  }
  writeResult(res, result);
}

/** Resolves with the body, or undefined as soon as it is known to exceed the limit. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(undefined);

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.off('end', onEnd);
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

function rejectOversizedBody(req: IncomingMessage, res: ServerResponse): void {
  // Keep the socket readable briefly, discarding what arrives, so the client can finish writing
  // and read the 413 instead of seeing a reset; then hang up whatever is still coming.
  req.resume();
  send(res, 413, TOO_LARGE_BODY, { 'content-type': JSON_TYPE, connection: 'close' });
  if (!req.complete) {
    const hangUp = setTimeout(() => req.socket.destroy(), OVERSIZE_GRACE_MS);
    hangUp.unref();
    req.once('end', () => clearTimeout(hangUp));
  }
}

interface RequestLine {
  method: string;
  rawPath: string;
  rawQueryString: string;
  body: Buffer;
  startedAt: number;
}

function toEvent(req: IncomingMessage, line: RequestLine): APIGatewayProxyEventV2 {
  const { method, rawPath, rawQueryString, body, startedAt } = line;
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    // Payload 2.0 moves cookies out of the headers into their own array.
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }

  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(req.socket.localPort ?? '');
  headers['x-amzn-trace-id'] ??= `Root=1-${Math.floor(startedAt / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

  const domainName = (headers.host ?? 'localhost').replace(/:\d+$/, '');
  const routeKey = `${method} ${rawPath}`;
  const queryStringParameters = parseQuery(rawQueryString);

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: formatClfTime(new Date(startedAt)),
      timeEpoch: startedAt,
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (queryStringParameters) event.queryStringParameters = queryStringParameters;
  // API Gateway leaves `body` out entirely when the request has none.
  if (body.length > 0) event.body = body.toString('utf8');
  return event;
}

/** Repeated names are joined with commas, as payload format 2.0 does. */
function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    params[name] = name in params ? `${params[name]},${value}` : value;
  }
  return params;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`: `12/Mar/2020:19:03:58 +0000`. */
function formatClfTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

function toContext(settings: RequestSettings, awsRequestId: string, startedAt: number): Context {
  const { functionName, timeoutMs } = settings;
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const day = new Date(startedAt).toISOString().slice(0, 10).replaceAll('-', '/');
  const unsupported = (name: string) => (): never => {
    throw new Error(`context.${name}() is deprecated in Lambda's Node.js runtime; return or throw instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, startedAt + timeoutMs - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

function writeResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string): void {
  // Without a statusCode, API Gateway treats the whole return value as a 200 JSON body.
  if (typeof result !== 'object' || result === null || typeof result.statusCode !== 'number') {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    send(res, 200, body ?? '', { 'content-type': JSON_TYPE });
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  send(res, result.statusCode, body, headers);
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string | string[]>): void {
  res.writeHead(status, headers);
  res.end(body);
}

function logError(what: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`[apigw-local] ${what}: ${detail}\n`);
}
