// GraphQL Code Generator plugin: emits the merged SDL as a TypeScript string, so the Lambda bundle
// carries the schema without reading .graphql files at run time. Applied directives (@cost,
// @listSize) are kept: the cost estimator reads them from the running schema.
const { printSchemaWithDirectives } = require('@graphql-tools/utils');

module.exports = {
  plugin(schema) {
    return `// Generated from schema/*.graphql by npm run codegen. Do not edit.\nexport const typeDefs = ${JSON.stringify(printSchemaWithDirectives(schema))};\n`;
  },
};
