import type { CodegenConfig } from '@graphql-codegen/cli';

// Resolver types are generated from the SDL so that every GraphQL shape is declared once.
const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  generates: {
    'lib/graphql/__generated__/typedefs.ts': { plugins: ['./scripts/codegen-typedefs.cjs'] },
    'lib/graphql/__generated__/resolvers.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useIndexSignature: true,
        contextType: '../context.js#GraphQLContext',
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
        mappers: {
          Customer: '../mappers.js#CustomerModel',
          Order: '../mappers.js#OrderModel',
          ApiKey: '../mappers.js#ApiKeyModel',
          Shop: '../mappers.js#ShopModel',
        },
        avoidOptionals: { field: false, inputValue: false, object: false },
        maybeValue: 'T | null',
        inputMaybeValue: 'T | null | undefined',
      },
    },
  },
};
export default config;
