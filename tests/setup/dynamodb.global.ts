import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../scripts/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

/**
 * Gives the integration project one DynamoDB endpoint for the whole run: `DYNAMODB_ENDPOINT` when
 * set (an instance someone else owns, left running), otherwise a fresh in-memory DynamoDB Local
 * that the returned teardown stops.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DYNAMODB_ENDPOINT;
  if (external) {
    project.provide('dynamodbEndpoint', external);
    return async () => {};
  }
  const local = await startDynamoDbLocal({ quiet: true });
  project.provide('dynamodbEndpoint', local.endpoint);
  return () => local.stop();
}
