import DataLoader from 'dataloader';

/**
 * What one request reads once. Resolvers of a page of 50 run 50 times; without this each would
 * re-read the shop-wide item (referral program, metrics state, latest segment run) and fetch its
 * own per-customer item. A domain adds no field to the context: it names its key here.
 *
 * - `once(key, load)`: a shop-wide item, read at most once per request.
 * - `loader(key, batch)`: a per-request DataLoader (one BatchGetItem, or one round of Queries, for
 *   all the keys asked for in the same tick). Keys are domain-prefixed ('metrics:activity').
 *
 * Both live only as long as the request: nothing is shared between callers or tenants.
 */
export class RequestCache {
  private readonly memo = new Map<string, Promise<unknown>>();
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let value = this.memo.get(key) as Promise<T> | undefined;
    if (!value) {
      value = load();
      this.memo.set(key, value);
    }
    return value;
  }

  loader<K, V>(key: string, batch: (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>, maxBatchSize = 100): DataLoader<K, V> {
    let loader = this.loaders.get(key) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(batch, { maxBatchSize });
      this.loaders.set(key, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }
}
