import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import { loadDevConnection } from '../dev-connection.js';
import { exampleTabs } from './examples.js';

// Monaco runs its language services in web workers; they are bundled next to this file at build
// time (scripts/build-console.ts), so the explorer needs nothing from the network but the API.
const workers = new URL('./workers/', import.meta.url);
(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    const file = label === 'json' ? 'json.worker.js' : label === 'graphql' ? 'graphql.worker.js' : 'editor.worker.js';
    return new Worker(new URL(file, workers));
  },
};

const root = document.getElementById('graphiql')!;
const endpoint = root.dataset.endpoint ?? '/graphql';

const dev = await loadDevConnection(root.dataset.devConnection);
const fetcher = createGraphiQLFetcher({ url: endpoint });

const tabs = exampleTabs(dev);

// GraphiQL fills the editors of the first tab from the initial values, not from the tab itself.
createRoot(root).render(
  <GraphiQL
    fetcher={fetcher}
    defaultTabs={tabs}
    initialVariables={tabs[0]?.variables}
    initialHeaders={tabs[0]?.headers}
    shouldPersistHeaders={false}
  />,
);
