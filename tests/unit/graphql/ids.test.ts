import { buildSchema, getNamedType, GraphQLNonNull, GraphQLObjectType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { typeDefs } from '../../../lib/graphql/__generated__/typedefs.js';
import { jobIdOf, localIdOf, nodeTypes, parseGlobalId, toGlobalId } from '../../../lib/graphql/ids.js';
import { nodeFetchers } from '../../../lib/graphql/schema.js';

describe('global ids', () => {
  it('round-trip any local id, colons and non-ASCII included', () => {
    for (const local of ['A-1', 'a:b:c', 'Bestellung/ä€', ' spaced ', 'x'.repeat(500)]) {
      const id = toGlobalId('shop-1', 'Order', local);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(parseGlobalId('shop-1', id)).toEqual({ type: 'Order', id: local });
    }
  });

  it('differ between shops and parse to nothing in another shop', () => {
    const a = toGlobalId('shop-a', 'Order', 'A-1');
    const b = toGlobalId('shop-b', 'Order', 'A-1');
    expect(a).not.toBe(b);
    expect(parseGlobalId('shop-b', a)).toBeUndefined();
    expect(localIdOf('shop-a', a, 'Order')).toBe('A-1');
    expect(localIdOf('shop-a', a, 'Customer')).toBeUndefined();
  });

  it('read the old gid://retention form within the caller’s shop', () => {
    expect(parseGlobalId('shop-a', 'gid://retention/Customer/cus%2F1')).toEqual({ type: 'Customer', id: 'cus/1' });
    expect(parseGlobalId('shop-a', 'gid://retention/Nope/1')).toBeUndefined();
    expect(parseGlobalId('shop-a', 'gid://retention/Customer/%E0%A4%A')).toBeUndefined();
  });

  it('read a bare job id (the jobs’ format before v1) but no other shop’s job id', () => {
    expect(jobIdOf('shop-a', 'job_0123abcd', 'PredictionJob')).toBe('job_0123abcd');
    expect(jobIdOf('shop-a', toGlobalId('shop-a', 'PredictionJob', 'job_1'), 'PredictionJob')).toBe('job_1');
    expect(jobIdOf('shop-a', toGlobalId('shop-b', 'PredictionJob', 'job_1'), 'PredictionJob')).toBeUndefined();
    expect(jobIdOf('shop-a', toGlobalId('shop-a', 'Order', 'job_1'), 'PredictionJob')).toBeUndefined();
  });

  it('reject what is not an id of ours', () => {
    for (const id of ['', 'hello world', '====', Buffer.from('v2:Order:shop-a:1').toString('base64url'), Buffer.from('v1:Order:SHOP:1').toString('base64url')]) {
      expect(parseGlobalId('shop-a', id), id).toBeUndefined();
    }
  });
});

describe('Node', () => {
  const schema = buildSchema(typeDefs);
  const withId = Object.values(schema.getTypeMap())
    .filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'))
    .filter((type) => {
      const id = type.getFields().id;
      return id !== undefined && id.type instanceof GraphQLNonNull && getNamedType(id.type).name === 'ID';
    })
    .map((type) => type.name)
    .sort();

  it('is implemented by every type with an `id: ID!`', () => {
    const nodes = schema.getPossibleTypes(schema.getType('Node') as never).map((type) => type.name).sort();
    expect(withId).toEqual(nodes);
  });

  it('has an id type and a node(id) fetcher for every one of them', () => {
    expect([...nodeTypes].sort()).toEqual(withId);
    expect(Object.keys(nodeFetchers).sort()).toEqual(withId);
  });
});
