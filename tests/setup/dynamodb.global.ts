import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** An instance someone else owns (`DYNAMODB_ENDPOINT`), or '' when each file starts its own. */
    sharedDynamodbEndpoint: string;
  }
}

/**
 * Tells the test files whether to share an external DynamoDB endpoint (`DYNAMODB_ENDPOINT`, left
 * running) or to start DynamoDB Local each for itself (tests/setup/table.ts).
 */
export default function setup(project: TestProject): void {
  project.provide('sharedDynamodbEndpoint', process.env.DYNAMODB_ENDPOINT ?? '');
}
