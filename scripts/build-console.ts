import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { explorerHtml } from '../lib/graphql/explorer.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the console and the explorer are built to: static files, served as they are. */
export const defaultConsoleDist = join(root, 'dist', 'console');

const monacoWorkers = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};

/** SST hands the API's base URL; the console calls its /graphql. */
function graphqlUrl(apiUrl: string | undefined): string {
  if (!apiUrl) return '';
  const url = new URL(apiUrl);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/graphql';
  return url.href;
}

/**
 * Builds the dashboard (console/) and the GraphiQL explorer into dist/console, everything from
 * node_modules, so neither page loads anything from a CDN. `withExplorer: false` leaves the
 * explorer out (a production deploy that does not enable it). As a script: `npm run build:console`,
 * with CONSOLE_API_URL and CONSOLE_EXPLORER=false for a deploy.
 */
export async function buildConsole(options: { withExplorer?: boolean; apiUrl?: string; outDir?: string } = {}): Promise<string> {
  const consoleDist = options.outDir ?? defaultConsoleDist;
  rmSync(consoleDist, { recursive: true, force: true });
  mkdirSync(consoleDist, { recursive: true });
  const common = {
    bundle: true,
    minify: true,
    target: 'es2022',
    logLevel: 'warning' as const,
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'linked' as const,
  };
  cpSync(join(root, 'console', 'index.html'), join(consoleDist, 'index.html'));
  const builds: Promise<unknown>[] = [
    build({
      ...common,
      entryPoints: { app: join(root, 'console', 'src', 'main.ts') },
      outdir: consoleDist,
      format: 'esm',
      // A deployed console calls the API's URL; the dev console calls its own origin's /graphql.
      define: { ...common.define, __API_URL__: JSON.stringify(graphqlUrl(options.apiUrl)) },
    }),
  ];
  if (options.withExplorer ?? true) {
    const explorerDist = join(consoleDist, 'explorer');
    // The deployed explorer's page: beside its files (workers must be same-origin), calling the API.
    mkdirSync(explorerDist, { recursive: true });
    writeFileSync(join(explorerDist, 'index.html'), explorerHtml({ assetsUrl: '.', endpoint: graphqlUrl(options.apiUrl) || '/graphql' }));
    builds.push(
      build({
        ...common,
        entryPoints: { explorer: join(root, 'console', 'src', 'explorer', 'main.tsx') },
        outdir: explorerDist,
        format: 'esm',
        jsx: 'automatic',
        loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
      }),
      // Classic (non-module) workers: every browser the explorer supports can start them.
      build({ ...common, entryPoints: monacoWorkers, outdir: join(explorerDist, 'workers'), format: 'iife' }),
    );
  }
  await Promise.all(builds);
  return consoleDist;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildConsole({ withExplorer: process.env.CONSOLE_EXPLORER !== 'false', apiUrl: process.env.CONSOLE_API_URL });
}
