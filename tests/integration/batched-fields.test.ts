import { beforeAll, describe, expect, it } from 'vitest';
import { newMeter, withMeter } from '../../lib/db/client.js';
import { aShop, type TestShop } from '../fixtures/api.js';

// A new N+1 on a page of customers fails here: each field's DynamoDB requests are counted exactly.
const UPSERT = `mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { userErrors { message } } }`;
const PROGRAM = `mutation ($input: ReferralProgramUpdateInput!) { referralProgramUpdate(input: $input) { userErrors { message } } }`;
const PAGE = (fields: string) => `{ customers(first: 50) { nodes { externalId ${fields} } } }`;

let t: TestShop;
beforeAll(async () => {
  t = await aShop();
  const program = await t.gql(PROGRAM, { input: { referrerReward: { type: 'POINTS', points: 500 }, refereeReward: { kind: 'FIXED_AMOUNT', value: 1000, minimumOrderAmount: 3000 } } });
  expect(program.data!.referralProgramUpdate.userErrors).toEqual([]);
  for (let i = 0; i < 50; i++) {
    const res = await t.gql(UPSERT, { input: { externalId: `c${i}` } });
    expect(res.data!.customerUpsert.userErrors).toEqual([]);
  }
  // Codes are created on first read (writes); the counts below are for a page that has them.
  await t.gql(PAGE('referral { code }'));
}, 60_000);

async function requestsFor(fields: string): Promise<number> {
  const meter = newMeter();
  const res = await withMeter(meter, () => t.gql(PAGE(fields)));
  expect(res.errors).toBeUndefined();
  expect((res.data as { customers: { nodes: unknown[] } }).customers.nodes).toHaveLength(50);
  return meter.requests;
}

describe('a page of 50 customers', () => {
  it('reads each shop-wide item once and each per-customer item in one batch', async () => {
    const base = await requestsFor('');
    // churnRisk: metrics state (+ the shop while the projection has written none), the latest run, one BatchGetItem.
    expect({
      statistics: (await requestsFor('statistics { ordersCount }')) - base,
      referral: (await requestsFor('referral { code url }')) - base,
      referralVisits: (await requestsFor('referral { visits }')) - base,
      churnRisk: (await requestsFor('churnRisk { level }')) - base,
      rfmBeforeAnyRun: (await requestsFor('rfm { group }')) - base,
    }).toEqual({ statistics: 0, referral: 2, referralVisits: 3, churnRisk: 4, rfmBeforeAnyRun: 1 });
  });
});
