import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The GraphiQL explorer at `GET /graphql` for a browser (Accept: text/html). The page is a shell;
 * its script and styles are built from the `graphiql` package into the console's assets
 * (scripts/build-console.ts), so it loads nothing from a CDN. On unless production; in
 * production only with `GRAPHQL_EXPLORER=true` (then `EXPLORER_ASSETS_URL` says where the
 * deployed console keeps the explorer's files).
 */
export interface ExplorerSettings {
  enabled: boolean;
  assetsUrl: string;
  /** Where a page of `npm run dev` reads the demo shop's keys; never set in AWS. */
  devConnectionUrl: string | undefined;
}

export function explorerSettings(production: boolean, env: NodeJS.ProcessEnv = process.env): ExplorerSettings {
  return {
    enabled: env.GRAPHQL_EXPLORER ? env.GRAPHQL_EXPLORER === 'true' : !production,
    assetsUrl: (env.EXPLORER_ASSETS_URL ?? '/console/explorer').replace(/\/+$/, ''),
    devConnectionUrl: env.CONSOLE_DEV_CONNECTION_URL || undefined,
  };
}

export function wantsExplorer(event: APIGatewayProxyEventV2): boolean {
  return event.requestContext.http.method === 'GET' && (event.headers?.accept ?? '').includes('text/html');
}

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function explorerResponse(event: APIGatewayProxyEventV2, settings: ExplorerSettings): APIGatewayProxyStructuredResultV2 {
  const assets = escape(settings.assetsUrl);
  const dev = settings.devConnectionUrl ? ` data-dev-connection="${escape(settings.devConnectionUrl)}"` : '';
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · Retention API</title>
<link rel="stylesheet" href="${assets}/explorer.css">
<style>html, body { margin: 0; height: 100%; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql" data-endpoint="${escape(event.rawPath)}"${dev}>Loading the explorer…</div>
<script type="module" src="${assets}/explorer.js"></script>
</body>
</html>
`;
  return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body };
}
