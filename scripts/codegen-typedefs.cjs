// GraphQL Code Generator plugin: emits the merged SDL as a TypeScript string, so the Lambda bundle
// carries the schema without reading .graphql files at run time.
const { printSchema } = require('graphql');

module.exports = {
  plugin(schema) {
    return `// Generated from schema/*.graphql by npm run codegen. Do not edit.\nexport const typeDefs = ${JSON.stringify(printSchema(schema))};\n`;
  },
};
