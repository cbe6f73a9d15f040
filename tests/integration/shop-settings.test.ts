import { describe, expect, it } from 'vitest';
import { aShop, type TestShop } from '../fixtures/api.js';

const SHOP_SETTINGS_UPDATE = /* GraphQL */ `
  mutation ($input: ShopSettingsUpdateInput!) {
    shopSettingsUpdate(input: $input) {
      shop { id timeZone revenueBasis }
      metricsRebuildNeeded
      userErrors { field code message }
    }
  }
`;
const SHOP = /* GraphQL */ `{ shop { id timeZone revenueBasis } }`;
const METRICS_REBUILD = /* GraphQL */ `mutation { metricsRebuild { job { timeZone revenueBasis } userErrors { code } } }`;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const update = async (t: TestShop, input: Record<string, unknown>, headers?: Record<string, string>) => t.gql(SHOP_SETTINGS_UPDATE, { input }, headers);
const settingsOf = async (t: TestShop) => (await t.gql(SHOP)).data!.shop;

describe('shopSettingsUpdate', () => {
  it('changes the time zone and revenue basis, and the shop query returns them', async () => {
    const t = await aShop({ timeZone: 'Europe/Berlin' });

    const res = await update(t, { timeZone: 'America/New_York', revenueBasis: 'SUBTOTAL' });
    const shop = await settingsOf(t);

    expect(res.errors).toBeUndefined();
    expect(res.data!.shopSettingsUpdate).toEqual({
      shop: { id: shop.id, timeZone: 'America/New_York', revenueBasis: 'SUBTOTAL' },
      metricsRebuildNeeded: true,
      userErrors: [],
    });
    expect(shop).toMatchObject({ timeZone: 'America/New_York', revenueBasis: 'SUBTOTAL' });
  });

  it('changes nothing and needs no rebuild when the shop already has the values', async () => {
    const t = await aShop({ timeZone: 'Europe/Berlin' });
    await update(t, { timeZone: 'Asia/Tokyo', revenueBasis: 'SUBTOTAL' });

    const repeat = (await update(t, { timeZone: 'Asia/Tokyo', revenueBasis: 'SUBTOTAL' })).data!.shopSettingsUpdate;
    const unchangedSetting = (await update(t, { revenueBasis: 'SUBTOTAL' })).data!.shopSettingsUpdate;

    expect(repeat).toMatchObject({ shop: { timeZone: 'Asia/Tokyo', revenueBasis: 'SUBTOTAL' }, metricsRebuildNeeded: false, userErrors: [] });
    expect(unchangedSetting).toMatchObject({ metricsRebuildNeeded: false, userErrors: [] });
    expect(await settingsOf(t)).toMatchObject({ timeZone: 'Asia/Tokyo', revenueBasis: 'SUBTOTAL' });
  });

  it('keeps an omitted setting as it was', async () => {
    const t = await aShop({ timeZone: 'Europe/Berlin' });

    const res = (await update(t, { revenueBasis: 'SUBTOTAL' })).data!.shopSettingsUpdate;

    expect(res).toMatchObject({ shop: { timeZone: 'Europe/Berlin', revenueBasis: 'SUBTOTAL' }, metricsRebuildNeeded: true });
    expect(await settingsOf(t)).toMatchObject({ timeZone: 'Europe/Berlin', revenueBasis: 'SUBTOTAL' });
  });

  it('reports the change to exactly one of several concurrent identical requests', async () => {
    const t = await aShop({ timeZone: 'Europe/Berlin' });

    const results = await Promise.all(Array.from({ length: 5 }, () => update(t, { timeZone: 'Australia/Sydney' })));

    const payloads = results.map((res) => res.data!.shopSettingsUpdate);
    expect(payloads.every((p) => p.userErrors.length === 0 && p.shop.timeZone === 'Australia/Sydney')).toBe(true);
    expect(payloads.filter((p) => p.metricsRebuildNeeded)).toHaveLength(1);
  });

  it.each([
    ['an unknown IANA zone', { timeZone: 'Mars/Olympus_Mons' }],
    ['an unknown zone next to a valid revenue basis', { timeZone: 'Berlin', revenueBasis: 'SUBTOTAL' }],
    ['an empty zone', { timeZone: '' }],
  ])('answers a user error on input.timeZone for %s and changes nothing', async (_name, input) => {
    const t = await aShop({ timeZone: 'Europe/Berlin' });

    const res = await update(t, input);

    expect(res.errors).toBeUndefined();
    expect(res.data!.shopSettingsUpdate).toMatchObject({ shop: null, metricsRebuildNeeded: false });
    expect(res.data!.shopSettingsUpdate.userErrors).toEqual([{ field: ['input', 'timeZone'], code: 'INVALID', message: expect.stringContaining('IANA') }]);
    expect(await settingsOf(t)).toMatchObject({ timeZone: 'Europe/Berlin', revenueBasis: 'TOTAL' });
  });

  it.each([
    ['an empty input', {}],
    ['only nulls', { timeZone: null, revenueBasis: null }],
  ])('answers a user error for %s', async (_name, input) => {
    const t = await aShop({ timeZone: 'Europe/Berlin' });

    const res = await update(t, input);

    expect(res.errors).toBeUndefined();
    expect(res.data!.shopSettingsUpdate).toMatchObject({ shop: null, metricsRebuildNeeded: false, userErrors: [{ field: ['input'], code: 'INVALID' }] });
  });

  it('answers BAD_USER_INPUT for a revenue basis outside the enum', async () => {
    const t = await aShop();

    const res = await update(t, { revenueBasis: 'GROSS' });

    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['metrics:read only', ['METRICS_READ'] as const],
    ['orders:write only', ['ORDERS_WRITE'] as const],
  ])('answers FORBIDDEN to a key with %s and changes nothing', async (_name, scopes) => {
    const t = await aShop({ timeZone: 'Europe/Berlin' });
    const key = await t.keyWith([...scopes]);

    const res = await update(t, { timeZone: 'Asia/Tokyo' }, bearer(key));

    expect(res.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(await settingsOf(t)).toMatchObject({ timeZone: 'Europe/Berlin' });
  });

  it('answers FORBIDDEN to a storefront', async () => {
    const t = await aShop();

    const res = await update(t, { timeZone: 'Asia/Tokyo' }, bearer(t.publishableKey));

    expect(res.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('accepts a key with exactly metrics:read and orders:write', async () => {
    const t = await aShop({ timeZone: 'Europe/Berlin' });
    const key = await t.keyWith(['METRICS_READ', 'ORDERS_WRITE']);

    const res = await update(t, { timeZone: 'Asia/Tokyo' }, bearer(key));

    expect(res.data!.shopSettingsUpdate).toMatchObject({ metricsRebuildNeeded: true, userErrors: [] });
  });

  it("leaves another shop's settings alone", async () => {
    const mine = await aShop({ timeZone: 'Europe/Berlin' });
    const other = await aShop({ timeZone: 'Europe/Berlin' });

    await update(mine, { timeZone: 'Asia/Tokyo', revenueBasis: 'SUBTOTAL' });

    expect(await settingsOf(other)).toMatchObject({ timeZone: 'Europe/Berlin', revenueBasis: 'TOTAL' });
  });

  it('lets metricsRebuild start with the new settings', async () => {
    const t = await aShop({ timeZone: 'Europe/Berlin' });

    await update(t, { timeZone: 'America/Los_Angeles', revenueBasis: 'SUBTOTAL' });
    const rebuild = (await t.gql(METRICS_REBUILD)).data!.metricsRebuild;

    expect(rebuild).toEqual({ job: { timeZone: 'America/Los_Angeles', revenueBasis: 'SUBTOTAL' }, userErrors: [] });
  });
});
