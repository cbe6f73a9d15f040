import '../lib/app/entities.js';
import { createGraphQLHandler } from '../lib/graphql/server.js';

/** `POST /graphql` on the API Gateway HTTP API. */
export const handler = createGraphQLHandler();
