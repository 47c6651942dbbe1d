import { kvs, WhereConditions } from '@forge/kvs';

// Forge's KVS answers a prefix query at most 100 results a page.
const PAGE_SIZE = 100;

/** Every stored value whose key begins with `prefix`, in key order, a page at a time. */
export async function* entriesWithPrefix<T>(prefix: string): AsyncGenerator<{ key: string; value: T }> {
  let cursor: string | undefined;
  do {
    let query = kvs.query().where('key', WhereConditions.beginsWith(prefix)).limit(PAGE_SIZE);
    if (cursor) query = query.cursor(cursor);
    const page = await query.getMany<T>();
    yield* page.results;
    cursor = page.nextCursor;
  } while (cursor);
}
