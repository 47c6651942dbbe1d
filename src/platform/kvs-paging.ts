import { kvs, WhereConditions } from '@forge/kvs';

// Forge's KVS answers a prefix query at most 100 results a page.
const PAGE_SIZE = 100;

export interface KeyPage<T> {
  /** Keys with the prefix cut off. */
  readonly results: ReadonlyArray<{ readonly id: string; readonly value: T }>;
  readonly nextCursor?: string;
}

/** One page of the values whose key begins with `prefix`, in key order, from `cursor` on. */
export async function pageWithPrefix<T>(prefix: string, limit: number = PAGE_SIZE, cursor?: string): Promise<KeyPage<T>> {
  let query = kvs.query().where('key', WhereConditions.beginsWith(prefix)).limit(limit);
  if (cursor) query = query.cursor(cursor);
  const page = await query.getMany<T>();
  return {
    results: page.results.map((result) => ({ id: result.key.slice(prefix.length), value: result.value })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** Every value whose key begins with `prefix`, in key order, a page at a time. */
export async function* entriesWithPrefix<T>(prefix: string): AsyncGenerator<{ key: string; value: T }> {
  let cursor: string | undefined;
  do {
    const page: KeyPage<T> = await pageWithPrefix<T>(prefix, PAGE_SIZE, cursor);
    for (const result of page.results) yield { key: prefix + result.id, value: result.value };
    cursor = page.nextCursor;
  } while (cursor);
}
