import { asArray, asRecord, checkKey, describe, KvsError, KvsStore, type JsonRecord, type KvsArea, type StoredItem } from './kvs-store';

// What each KVS REST operation does with the store, as @forge/kvs calls it (POST /api/v1/...).
// Limits from the Forge storage docs: transactions ≤ 25 operations, queries ≤ 100 results a page;
// a batch names 1–25 distinct keys and a batch set carries at most 4 MB ("Executing batch
// operations"). Rate limits: kvs-quota.ts.
const MAX_TRANSACTION_OPS = 25;
const MAX_QUERY_LIMIT = 100;
const MAX_BATCH_KEYS = 25;
const MAX_BATCH_SET_BYTES = 4 * 1024 * 1024;

export interface KvsCounters {
  reads: number;
  writes: number;
  /** Requests answered with an injected fault instead of being served. */
  faults: number;
}

/** A batch names 1–25 keys, none twice; @forge/kvs sends it as a bare array. */
function checkBatch(items: unknown[]): void {
  if (items.length === 0) throw new KvsError(400, 'BAD_REQUEST', 'A batch operation must name at least one key');
  if (items.length > MAX_BATCH_KEYS) throw new KvsError(400, 'BAD_REQUEST', `A batch operation names at most ${MAX_BATCH_KEYS} keys`);
  const keys = new Set(items.map((item) => (typeof item === 'object' && item !== null ? String((item as { key?: unknown }).key) : '')));
  if (keys.size !== items.length) throw new KvsError(400, 'BAD_REQUEST', 'A batch operation names a key more than once');
}

export class KvsOperations {
  constructor(
    private readonly store: KvsStore,
    private readonly counters: KvsCounters,
    private readonly now: () => number,
  ) {}

  /** Serves one operation named by its path; the answer is the JSON body, undefined for none. */
  serve(path: string, rawBody: unknown): unknown {
    // get, set and delete come in two forms: /api/v1/<op> on values, /api/v1/secret/<op> on secrets.
    const single = /^\/api\/v1\/(secret\/)?(get|set|delete)$/.exec(path);
    if (single) {
      const area: KvsArea = single[1] ? 'secrets' : 'values';
      const body = asRecord(rawBody);
      if (single[2] === 'get') return this.get(area, body);
      return single[2] === 'set' ? this.set(area, body) : this.delete(area, body);
    }
    switch (path) {
      case '/api/v1/query':
        return this.query(asRecord(rawBody));
      case '/api/v1/batch/get':
        return this.batchGet(asArray(rawBody));
      case '/api/v1/batch/set':
        return this.batchSet(asArray(rawBody));
      case '/api/v1/batch/delete':
        return this.batchDelete(asArray(rawBody));
      case '/api/v1/transaction':
        return this.transaction(asRecord(rawBody));
      default:
        throw new KvsError(404, 'NOT_FOUND', `The local KVS does not serve ${path}`);
    }
  }

  private get(area: KvsArea, body: JsonRecord): unknown {
    this.counters.reads += 1;
    const key = checkKey(body.key);
    const item = this.store.live(area, key);
    if (!item) throw new KvsError(404, 'KEY_NOT_FOUND', 'Provided key does not exist');
    return describe(key, item);
  }

  /** With keyPolicy OVERRIDE and returnValue, answers the value before (PREVIOUS, even one past its TTL) or after (LATEST) the write. */
  private set(area: KvsArea, body: JsonRecord): JsonRecord | undefined {
    this.counters.writes += 1;
    const options = body.options === undefined ? {} : asRecord(body.options);
    const previous = typeof body.key === 'string' ? this.store.stored(area, body.key) : undefined;
    const written = this.store.write(area, body.key, body.value, body.options);
    this.store.persist();
    if (options.keyPolicy !== 'OVERRIDE' || options.returnValue === undefined) return undefined;
    const answer = options.returnValue === 'PREVIOUS' ? previous : written;
    return answer === undefined ? undefined : describe(String(body.key), answer);
  }

  private delete(area: KvsArea, body: JsonRecord): undefined {
    this.counters.writes += 1;
    const key = checkKey(body.key);
    const existed = this.store.live(area, key) !== undefined;
    // An expired value is deleted for good, though it reads as missing.
    if (this.store.remove(area, key)) this.store.persist();
    if (!existed) throw new KvsError(404, 'KEY_NOT_FOUND', 'Provided key does not exist');
    return undefined;
  }

  private query(body: JsonRecord): JsonRecord {
    this.counters.reads += 1;
    const limit = body.limit === undefined ? 10 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
      throw new KvsError(400, 'BAD_REQUEST', `Query limit must be between 1 and ${MAX_QUERY_LIMIT}`);
    }
    const where = body.where === undefined ? [] : asArray(body.where);
    const prefixes = where.map((clause) => {
      const condition = asRecord(clause);
      if (condition.property !== 'key' || condition.condition !== 'BEGINS_WITH') {
        throw new KvsError(400, 'BAD_REQUEST', 'The local KVS supports only key BEGINS_WITH conditions');
      }
      return String(asArray(condition.values)[0]);
    });
    const after = typeof body.after === 'string' ? Buffer.from(body.after, 'base64url').toString('utf8') : undefined;
    // Keys matching every prefix lie in the range of the first one, in order.
    const [first = ''] = prefixes;
    const matching: string[] = [];
    for (const key of this.store.index.from(after === undefined || after < first ? first : after, (candidate) =>
      candidate.startsWith(first),
    )) {
      if (key === after || !prefixes.every((prefix) => key.startsWith(prefix)) || !this.store.live('values', key)) continue;
      matching.push(key);
      if (matching.length > limit) break;
    }
    const page = matching.slice(0, limit);
    const hasMore = matching.length > limit;
    const lastKey = page[page.length - 1];
    return {
      data: page.map((key) => describe(key, this.store.stored('values', key) as StoredItem)),
      ...(hasMore && lastKey !== undefined ? { cursor: Buffer.from(lastKey, 'utf8').toString('base64url') } : {}),
    };
  }

  private batchGet(items: unknown[]): JsonRecord {
    checkBatch(items);
    this.counters.reads += items.length;
    const successfulKeys: JsonRecord[] = [];
    const failedKeys: JsonRecord[] = [];
    for (const raw of items) {
      const key = checkKey(asRecord(raw).key);
      const item = this.store.live('values', key);
      if (item) successfulKeys.push(describe(key, item));
      else failedKeys.push({ key, error: { code: 'KEY_NOT_FOUND', message: 'Provided key does not exist' } });
    }
    return { successfulKeys, failedKeys };
  }

  private batchSet(items: unknown[]): JsonRecord {
    checkBatch(items);
    if (Buffer.byteLength(JSON.stringify(items)) > MAX_BATCH_SET_BYTES)
      throw new KvsError(400, 'BAD_REQUEST', 'A batch set carries at most 4 MB');
    this.counters.writes += items.length;
    const successfulKeys: JsonRecord[] = [];
    const failedKeys: JsonRecord[] = [];
    for (const raw of items) {
      const item = asRecord(raw);
      try {
        this.store.write('values', item.key, item.value, item.options);
        successfulKeys.push({ key: item.key });
      } catch (error) {
        if (!(error instanceof KvsError)) throw error;
        failedKeys.push({ key: item.key, error: { code: error.code, message: error.message } });
      }
    }
    this.store.persist();
    return { successfulKeys, failedKeys };
  }

  private batchDelete(items: unknown[]): JsonRecord {
    checkBatch(items);
    this.counters.writes += items.length;
    const successfulKeys: JsonRecord[] = [];
    for (const raw of items) {
      const key = checkKey(asRecord(raw).key);
      this.store.remove('values', key);
      successfulKeys.push({ key });
    }
    this.store.persist();
    return { successfulKeys, failedKeys: [] };
  }

  private transaction(body: JsonRecord): undefined {
    const sets = body.set === undefined ? [] : asArray(body.set).map(asRecord);
    const deletes = body.delete === undefined ? [] : asArray(body.delete).map(asRecord);
    const checks = body.check === undefined ? [] : asArray(body.check);
    if (sets.length + deletes.length + checks.length > MAX_TRANSACTION_OPS) {
      throw new KvsError(400, 'TOO_MANY_OPERATIONS', `A transaction holds at most ${MAX_TRANSACTION_OPS} operations`);
    }
    if (checks.length > 0) throw new KvsError(400, 'BAD_REQUEST', 'The local KVS does not support entity checks');
    this.counters.writes += sets.length + deletes.length;
    // Validate every operation before applying any: a transaction is all or nothing.
    const staged = this.store.copyValues();
    const scratch = new KvsStore(this.now);
    for (const set of sets) scratch.write('values', set.key, set.value, set.options);
    for (const set of sets) staged.set(String(set.key), scratch.stored('values', String(set.key)) as StoredItem);
    for (const del of deletes) staged.delete(checkKey(del.key));
    this.store.replaceValues(staged);
    this.store.persist();
    return undefined;
  }
}
