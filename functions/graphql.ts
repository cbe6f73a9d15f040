import { createGraphQLHandler } from '../lib/graphql/server.js';

/** `POST /graphql` on the API Gateway HTTP API. */
export const handler = createGraphQLHandler();
