/**
 * The dependency rule (README "Layout"): floors point down, domains meet through their index.ts,
 * reactions go through events. Run by tests/unit/architecture.test.ts, so `npm test` keeps it true;
 * `npx depcruise lib functions scripts` prints the violations by hand.
 */
const ground = '(common|db|events|idempotency|streams|throttle)';
const domains = '(customers|orders|metrics|predictions|shops|loyalty|referrals|surveys)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      comment: 'A folder under lib/ that reaches itself through another folder: a design bug (one of the two must react through an event or move down a floor).',
      severity: 'error',
      scope: 'folder',
      // Folder-scope rules match folder names (no trailing slash): lib/<folder> itself.
      from: { path: '^lib/[^/]+$' },
      to: { path: '^lib/[^/]+$', circular: true },
    },
    {
      name: 'domain-not-to-top-floor',
      comment: 'A domain never imports the entry points (lib/graphql, lib/app, functions, scripts) nor the generated GraphQL types.',
      severity: 'error',
      from: { path: `^lib/${domains}/` },
      to: { path: '^(lib/graphql|lib/app|functions|scripts)/' },
    },
    {
      name: 'domain-through-index',
      comment: 'A domain imports another domain only through its index.ts (its public face), never its internals.',
      severity: 'error',
      from: { path: `^lib/${domains}/` },
      to: { path: `^lib/${domains}/(?!index\\.ts$)`, pathNot: '^lib/$1/' },
    },
    {
      name: 'ground-floor-knows-no-domain',
      comment: 'The ground floor (shared mechanisms) imports no domain and nothing above it.',
      severity: 'error',
      from: { path: `^lib/${ground}/` },
      to: { path: `^(lib/${domains}|lib/graphql|lib/app|functions|scripts)/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|console|dist|\\.sst)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
