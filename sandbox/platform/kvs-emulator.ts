import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { FORGE_KVS_LIMITS, KvsQuota, unitsOf, type QuotaKind, type QuotaLimits } from './kvs-quota';
import { SortedKeys } from './sorted-keys';

// The platform's side of the Forge KVS REST API as @forge/kvs calls it (POST /api/v1/...).
// Limits from the Forge storage docs: keys ≤ 500 chars of [a-zA-Z0-9:._\s-#], values ≤ 240 KiB,
// transactions ≤ 25 operations, queries ≤ 100 results a page; a batch names 1–25 distinct keys and
// a batch set carries at most 4 MB ("Executing batch operations"). Rate limits: kvs-quota.ts.
const KEY_PATTERN = /^[a-zA-Z0-9:._\s\-#]+$/;
const MAX_KEY_LENGTH = 500;
const MAX_VALUE_BYTES = 240 * 1024;
const MAX_TRANSACTION_OPS = 25;
const MAX_QUERY_LIMIT = 100;
const MAX_BATCH_KEYS = 25;
const MAX_BATCH_SET_BYTES = 4 * 1024 * 1024;
const READ_OPERATIONS = new Set(['/api/v1/get', '/api/v1/secret/get', '/api/v1/query', '/api/v1/batch/get']);

interface StoredItem {
  value: unknown;
  createdAt: number;
  updatedAt: number;
  expireAt?: number;
}

interface Ttl {
  value: number;
  unit: 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS';
}

const TTL_UNIT_MS: Record<Ttl['unit'], number> = { SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 };

export interface KvsCounters {
  reads: number;
  writes: number;
  /** Requests answered with an injected fault instead of being served. */
  faults: number;
}

/**
 * A storage fault on demand. Forge's storage answers 429 (with Retry-After) past its per-installation
 * rate limits, and 5xx at times; @forge/kvs does not retry, it throws ForgeKvsAPIError.
 */
export interface StorageFault {
  /** The operations it hits: the path after /api/v1/ ('get', 'set', 'query', 'secret/get', 'batch/set', 'transaction', …); all when omitted. */
  readonly operations?: readonly string[];
  /** Only requests naming a key with this prefix (a query's prefix condition counts). */
  readonly keyPrefix?: string;
  /** Answer with this status; omitted, the request is only slowed. */
  readonly status?: number;
  readonly retryAfterS?: number;
  /** Answer this many real milliseconds later. */
  readonly delayMs?: number;
  /** How many requests it hits; every matching one when omitted. */
  times?: number;
}

type JsonRecord = Record<string, unknown>;

class KvsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function asRecord(value: unknown): JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KvsError(400, 'BAD_REQUEST', 'Provided request body is invalid');
  }
  return value as JsonRecord;
}

function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new KvsError(400, 'BAD_REQUEST', 'Provided request body is invalid');
  return value;
}

/** The keys a KVS request names: its key, its batch items' keys, a query's prefixes, a transaction's keys. */
function keysNamedBy(body: unknown): string[] {
  const keys: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.key === 'string') keys.push(record.key);
    if (record.condition === 'BEGINS_WITH' && Array.isArray(record.values)) keys.push(...record.values.map(String));
    for (const field of ['where', 'set', 'delete', 'check']) if (record[field] !== undefined) visit(record[field]);
  };
  visit(body);
  return keys;
}

/** The first key a request names, up to its second colon: `backlog:body:`, `settings:v1`. */
function operationPrefix(body: unknown): string {
  const [key = ''] = keysNamedBy(body);
  const parts = key.split(':');
  return parts.length > 2 ? `${parts.slice(0, 2).join(':')}:` : key;
}

/** A batch names 1–25 keys, none twice; @forge/kvs sends it as a bare array. */
function checkBatch(items: unknown[]): void {
  if (items.length === 0) throw new KvsError(400, 'BAD_REQUEST', 'A batch operation must name at least one key');
  if (items.length > MAX_BATCH_KEYS) throw new KvsError(400, 'BAD_REQUEST', `A batch operation names at most ${MAX_BATCH_KEYS} keys`);
  const keys = new Set(items.map((item) => (typeof item === 'object' && item !== null ? String((item as { key?: unknown }).key) : '')));
  if (keys.size !== items.length) throw new KvsError(400, 'BAD_REQUEST', 'A batch operation names a key more than once');
}

export class KvsEmulator {
  private readonly values = new Map<string, StoredItem>();
  private readonly secrets = new Map<string, StoredItem>();
  readonly counters: KvsCounters = { reads: 0, writes: 0, faults: 0 };
  private faults: StorageFault[] = [];
  readonly quota: KvsQuota;
  private readonly index = new SortedKeys((key) => this.values.has(key));

  constructor(
    private readonly now: () => number = Date.now,
    private readonly persistFile?: string,
    limits: QuotaLimits = FORGE_KVS_LIMITS,
  ) {
    this.quota = new KvsQuota(now, limits);
    if (persistFile && existsSync(persistFile)) this.load(persistFile);
  }

  /** Injects a fault; returns a function that lifts it. */
  injectFault(fault: StorageFault): () => void {
    const own = { ...fault };
    this.faults.push(own);
    return () => {
      this.faults = this.faults.filter((candidate) => candidate !== own);
    };
  }

  clearFaults(): void {
    this.faults = [];
  }

  private faultFor(path: string, body: unknown): StorageFault | undefined {
    const operation = path.replace(/^\/api\/v1\//, '');
    const keys = keysNamedBy(body);
    const fault = this.faults.find(
      (candidate) =>
        (candidate.times === undefined || candidate.times > 0) &&
        (candidate.operations === undefined || candidate.operations.includes(operation)) &&
        (candidate.keyPrefix === undefined || keys.some((key) => key.startsWith(candidate.keyPrefix as string))),
    );
    if (fault?.times !== undefined) fault.times -= 1;
    return fault;
  }

  /** Answers one SDK request; the result is what the platform would put on the wire. */
  async handle(path: string, init: RequestInit | undefined): Promise<Response> {
    try {
      const body: unknown = init?.body ? JSON.parse(String(init.body)) : {};
      const fault = this.faultFor(path, body);
      if (fault) this.counters.faults += 1;
      if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault?.status !== undefined) {
        const code = fault.status === 429 ? 'RATE_LIMIT_EXCEEDED' : 'INTERNAL_SERVER_ERROR';
        return Response.json({ code, message: `Injected storage fault (HTTP ${fault.status})` }, { status: fault.status, headers: fault.retryAfterS === undefined ? {} : { 'Retry-After': String(fault.retryAfterS) } });
      }
      const kind: QuotaKind = READ_OPERATIONS.has(path) ? 'read' : 'write';
      const label = `${path.replace(/^\/api\/v1\//, '')} ${operationPrefix(body)}`;
      const waitS = this.quota.admit(kind, kind === 'read' ? 1 : unitsOf(body), label);
      if (waitS !== undefined) {
        return Response.json({ code: 'RATE_LIMIT_EXCEEDED', message: 'Storage rate limit exceeded for this installation' }, { status: 429, headers: { 'Retry-After': String(waitS) } });
      }
      const result = this.dispatch(path, body);
      if (kind === 'read') this.quota.charge('read', unitsOf(result) - 1, label);
      if (result === undefined) return new Response(null, { status: 204 });
      return Response.json(result, { status: 200 });
    } catch (error) {
      if (error instanceof KvsError) {
        return Response.json({ code: error.code, message: error.message }, { status: error.status });
      }
      if (error instanceof SyntaxError) {
        return Response.json({ code: 'BAD_REQUEST', message: 'Provided request body is invalid' }, { status: 400 });
      }
      throw error;
    }
  }

  /** Test and sandbox access without going through the SDK (not counted). */
  peek(key: string): unknown {
    return this.live(this.values, key)?.value;
  }

  peekSecret(key: string): unknown {
    return this.live(this.secrets, key)?.value;
  }

  keys(): string[] {
    return this.index.all().filter((key) => this.live(this.values, key));
  }

  private dispatch(path: string, rawBody: unknown): unknown {
    switch (path) {
      case '/api/v1/get':
        return this.get(this.values, asRecord(rawBody));
      case '/api/v1/secret/get':
        return this.get(this.secrets, asRecord(rawBody));
      case '/api/v1/set':
        return this.set(this.values, asRecord(rawBody));
      case '/api/v1/secret/set':
        return this.set(this.secrets, asRecord(rawBody));
      case '/api/v1/delete':
        return this.delete(this.values, asRecord(rawBody));
      case '/api/v1/secret/delete':
        return this.delete(this.secrets, asRecord(rawBody));
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

  // Reads hide a value past its TTL, but it is not gone at once: Forge removes expired values in the
  // background, and nothing says how soon. Assumed the worst for an app that leases with TTLs: an
  // expired value still makes a FAIL_IF_EXISTS write conflict until it is deleted or overwritten.
  private live(store: Map<string, StoredItem>, key: string): StoredItem | undefined {
    const item = store.get(key);
    if (item?.expireAt !== undefined && item.expireAt <= this.now()) return undefined;
    return item;
  }

  private checkKey(key: unknown): string {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
      throw new KvsError(400, 'INVALID_KEY', `Invalid key: ${String(key).slice(0, 80)}`);
    }
    return key;
  }

  private get(store: Map<string, StoredItem>, body: JsonRecord): unknown {
    this.counters.reads += 1;
    const key = this.checkKey(body.key);
    const item = this.live(store, key);
    if (!item) throw new KvsError(404, 'KEY_NOT_FOUND', 'Provided key does not exist');
    return this.describe(key, item);
  }

  private describe(key: string, item: StoredItem): JsonRecord {
    return {
      key,
      value: item.value,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      ...(item.expireAt === undefined ? {} : { expireTime: new Date(item.expireAt).toISOString() }),
    };
  }

  private write(store: Map<string, StoredItem>, keyValue: unknown, value: unknown, options: unknown): StoredItem {
    const key = this.checkKey(keyValue);
    if (value === undefined) throw new KvsError(400, 'BAD_REQUEST', 'A value is required');
    if (Buffer.byteLength(JSON.stringify(value)) > MAX_VALUE_BYTES) {
      throw new KvsError(400, 'VALUE_TOO_LARGE', `The value of ${key} is larger than 240 KiB`);
    }
    const opts = options === undefined ? {} : asRecord(options);
    const previous = this.live(store, key);
    if (opts.keyPolicy === 'FAIL_IF_EXISTS' && store.has(key)) {
      throw new KvsError(409, 'KEY_CONFLICT', 'Provided key already exists');
    }
    const ttl = opts.ttl as Ttl | undefined;
    const now = this.now();
    const item: StoredItem = {
      value,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      ...(ttl ? { expireAt: now + ttl.value * TTL_UNIT_MS[ttl.unit] } : {}),
    };
    if (store === this.values && !store.has(key)) this.index.add(key);
    store.set(key, item);
    return item;
  }

  /** With keyPolicy OVERRIDE and returnValue, answers the value before (PREVIOUS, even one past its TTL) or after (LATEST) the write. */
  private set(store: Map<string, StoredItem>, body: JsonRecord): JsonRecord | undefined {
    this.counters.writes += 1;
    const options = body.options === undefined ? {} : asRecord(body.options);
    const previous = typeof body.key === 'string' ? store.get(body.key) : undefined;
    const written = this.write(store, body.key, body.value, body.options);
    this.persist();
    if (options.keyPolicy !== 'OVERRIDE' || options.returnValue === undefined) return undefined;
    const answer = options.returnValue === 'PREVIOUS' ? previous : written;
    return answer === undefined ? undefined : this.describe(String(body.key), answer);
  }

  private delete(store: Map<string, StoredItem>, body: JsonRecord): undefined {
    this.counters.writes += 1;
    const key = this.checkKey(body.key);
    const existed = this.live(store, key) !== undefined;
    // An expired value is deleted for good, though it reads as missing.
    if (store.delete(key)) {
      if (store === this.values) this.index.remove();
      this.persist();
    }
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
    for (const key of this.index.from(after === undefined || after < first ? first : after, (candidate) => candidate.startsWith(first))) {
      if (key === after || !prefixes.every((prefix) => key.startsWith(prefix)) || !this.live(this.values, key)) continue;
      matching.push(key);
      if (matching.length > limit) break;
    }
    const page = matching.slice(0, limit);
    const hasMore = matching.length > limit;
    const lastKey = page[page.length - 1];
    return {
      data: page.map((key) => this.describe(key, this.values.get(key) as StoredItem)),
      ...(hasMore && lastKey !== undefined ? { cursor: Buffer.from(lastKey, 'utf8').toString('base64url') } : {}),
    };
  }

  private batchGet(items: unknown[]): JsonRecord {
    checkBatch(items);
    this.counters.reads += items.length;
    const successfulKeys: JsonRecord[] = [];
    const failedKeys: JsonRecord[] = [];
    for (const raw of items) {
      const key = this.checkKey(asRecord(raw).key);
      const item = this.live(this.values, key);
      if (item) successfulKeys.push(this.describe(key, item));
      else failedKeys.push({ key, error: { code: 'KEY_NOT_FOUND', message: 'Provided key does not exist' } });
    }
    return { successfulKeys, failedKeys };
  }

  private batchSet(items: unknown[]): JsonRecord {
    checkBatch(items);
    if (Buffer.byteLength(JSON.stringify(items)) > MAX_BATCH_SET_BYTES) throw new KvsError(400, 'BAD_REQUEST', 'A batch set carries at most 4 MB');
    this.counters.writes += items.length;
    const successfulKeys: JsonRecord[] = [];
    const failedKeys: JsonRecord[] = [];
    for (const raw of items) {
      const item = asRecord(raw);
      try {
        this.write(this.values, item.key, item.value, item.options);
        successfulKeys.push({ key: item.key });
      } catch (error) {
        if (!(error instanceof KvsError)) throw error;
        failedKeys.push({ key: item.key, error: { code: error.code, message: error.message } });
      }
    }
    this.persist();
    return { successfulKeys, failedKeys };
  }

  private batchDelete(items: unknown[]): JsonRecord {
    checkBatch(items);
    this.counters.writes += items.length;
    const successfulKeys: JsonRecord[] = [];
    for (const raw of items) {
      const key = this.checkKey(asRecord(raw).key);
      if (this.values.delete(key)) this.index.remove();
      successfulKeys.push({ key });
    }
    this.persist();
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
    const staged = new Map(this.values);
    const scratch = new KvsEmulator(this.now);
    for (const set of sets) scratch.write(scratch.values, set.key, set.value, set.options);
    for (const set of sets) staged.set(String(set.key), scratch.values.get(String(set.key)) as StoredItem);
    for (const del of deletes) staged.delete(this.checkKey(del.key));
    this.values.clear();
    for (const [key, item] of staged) this.values.set(key, item);
    this.index.reset(this.values.keys());
    this.persist();
    return undefined;
  }

  private persist(): void {
    if (!this.persistFile) return;
    const snapshot = { values: [...this.values], secrets: [...this.secrets] };
    const temporary = `${this.persistFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(snapshot));
    renameSync(temporary, this.persistFile);
  }

  private load(file: string): void {
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { values: [string, StoredItem][]; secrets: [string, StoredItem][] };
    for (const [key, item] of snapshot.values) this.values.set(key, item);
    this.index.reset(this.values.keys());
    for (const [key, item] of snapshot.secrets) this.secrets.set(key, item);
  }
}
