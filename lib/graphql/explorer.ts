import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The GraphiQL explorer at `GET /graphql` for a browser (Accept: text/html). The page is a shell;
 * its script and styles are built from the `graphiql` package into the console's assets
 * (scripts/build-console.ts), so it loads nothing from a CDN. On unless production; in
 * production only with `GRAPHQL_EXPLORER=true`, its files then coming from the deployed console
 * (the first of `CONSOLE_ORIGINS`, or `EXPLORER_ASSETS_URL`).
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
    assetsUrl: (env.EXPLORER_ASSETS_URL ?? deployedConsoleExplorer(env) ?? '/console/explorer').replace(/\/+$/, ''),
    devConnectionUrl: env.CONSOLE_DEV_CONNECTION_URL || undefined,
  };
}

function deployedConsoleExplorer(env: NodeJS.ProcessEnv): string | undefined {
  const site = env.CONSOLE_ORIGINS?.split(',')[0]?.trim().replace(/\/+$/, '');
  return site ? `${site}/explorer` : undefined;
}

export function wantsExplorer(event: APIGatewayProxyEventV2): boolean {
  return event.requestContext.http.method === 'GET' && (event.headers?.accept ?? '').includes('text/html');
}

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The explorer's page: a shell around the bundled GraphiQL (console/src/explorer/main.tsx). */
export function explorerHtml(args: { assetsUrl: string; endpoint: string; devConnectionUrl?: string | undefined }): string {
  const assets = escape(args.assetsUrl);
  const dev = args.devConnectionUrl ? ` data-dev-connection="${escape(args.devConnectionUrl)}"` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · Retention API</title>
<link rel="stylesheet" href="${assets}/explorer.css">
<style>html, body { margin: 0; height: 100%; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql" data-endpoint="${escape(args.endpoint)}"${dev}>Loading the explorer…</div>
<script type="module" src="${assets}/explorer.js"></script>
</body>
</html>
`;
}

/**
 * Serves the page, or, when the explorer's files live on the deployed console's origin, sends the
 * browser there: GraphiQL's web workers must come from the page's own origin.
 */
export function explorerResponse(event: APIGatewayProxyEventV2, settings: ExplorerSettings): APIGatewayProxyStructuredResultV2 {
  if (/^https?:\/\//.test(settings.assetsUrl)) {
    return { statusCode: 302, headers: { location: `${settings.assetsUrl}/`, 'cache-control': 'no-store' }, body: '' };
  }
  const body = explorerHtml({ assetsUrl: settings.assetsUrl, endpoint: event.rawPath, devConnectionUrl: settings.devConnectionUrl });
  return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body };
}
