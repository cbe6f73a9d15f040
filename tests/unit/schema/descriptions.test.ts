import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildFromSdl, sdlSources, undocumented } from '../../../scripts/schema/contract.js';

describe('schema descriptions', () => {
  it('describe every type, field, argument, input field and enum value', () => {
    const missing = undocumented(buildFromSdl(sdlSources()));
    expect(missing, `${missing.length} schema elements without a description (write a """...""" above each)`).toEqual([]);
  });

  it('are found missing wherever they can be', () => {
    const schema = buildSchema(`
      "Described."
      type Query { a(x: Int): Int, "Described." b: Int }
      input In { f: Int }
      enum E { V }
      scalar S
      interface I { id: ID }
    `);
    expect(undocumented(schema).sort()).toEqual(['E', 'E.V', 'I', 'I.id', 'In', 'In.f', 'Query.a', 'Query.a(x:)', 'S'].sort());
  });
});
