import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SortedKeys } from './sorted-keys';

// The local KVS's values and secrets with their TTLs, and the checks Forge makes on every key and
// value written. Limits from the Forge storage docs: keys ≤ 500 chars of [a-zA-Z0-9:._\s-#], values
// ≤ 240 KiB.
const KEY_PATTERN = /^[a-zA-Z0-9:._\s\-#]+$/;
const MAX_KEY_LENGTH = 500;
const MAX_VALUE_BYTES = 240 * 1024;

export type JsonRecord = Record<string, unknown>;

/** A refusal as Forge's storage answers it: an HTTP status and an error code. */
export class KvsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function asRecord(value: unknown): JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KvsError(400, 'BAD_REQUEST', 'Provided request body is invalid');
  }
  return value as JsonRecord;
}

export function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new KvsError(400, 'BAD_REQUEST', 'Provided request body is invalid');
  return value;
}

export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
    throw new KvsError(400, 'INVALID_KEY', `Invalid key: ${String(key).slice(0, 80)}`);
  }
  return key;
}

export interface StoredItem {
  value: unknown;
  createdAt: number;
  updatedAt: number;
  expireAt?: number;
}

/** An item as the REST API answers it. */
export function describe(key: string, item: StoredItem): JsonRecord {
  return {
    key,
    value: item.value,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    ...(item.expireAt === undefined ? {} : { expireTime: new Date(item.expireAt).toISOString() }),
  };
}

interface Ttl {
  value: number;
  unit: 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS';
}

const TTL_UNIT_MS: Record<Ttl['unit'], number> = { SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 };

/** Values and secrets are kept apart, as @forge/kvs addresses them through different paths. */
export type KvsArea = 'values' | 'secrets';

export class KvsStore {
  private readonly areas: Record<KvsArea, Map<string, StoredItem>> = { values: new Map(), secrets: new Map() };
  /** The values' keys in query order; secrets cannot be queried. */
  readonly index = new SortedKeys((key) => this.areas.values.has(key));

  constructor(
    private readonly now: () => number,
    private readonly persistFile?: string,
  ) {
    if (persistFile && existsSync(persistFile)) this.load(persistFile);
  }

  /** The item as stored, past its TTL or not. */
  stored(area: KvsArea, key: string): StoredItem | undefined {
    return this.areas[area].get(key);
  }

  // Reads hide a value past its TTL, but it is not gone at once: Forge removes expired values in the
  // background, and nothing says how soon. Assumed the worst for an app that leases with TTLs: an
  // expired value still makes a FAIL_IF_EXISTS write conflict until it is deleted or overwritten.
  live(area: KvsArea, key: string): StoredItem | undefined {
    const item = this.areas[area].get(key);
    if (item?.expireAt !== undefined && item.expireAt <= this.now()) return undefined;
    return item;
  }

  /** Values not past their TTL, in key order. */
  liveKeys(): string[] {
    return this.index.all().filter((key) => this.live('values', key));
  }

  /** Checks and stores one item (not persisted: the caller persists once per request). */
  write(area: KvsArea, keyValue: unknown, value: unknown, options: unknown): StoredItem {
    const key = checkKey(keyValue);
    if (value === undefined) throw new KvsError(400, 'BAD_REQUEST', 'A value is required');
    if (Buffer.byteLength(JSON.stringify(value)) > MAX_VALUE_BYTES) {
      throw new KvsError(400, 'VALUE_TOO_LARGE', `The value of ${key} is larger than 240 KiB`);
    }
    const opts = options === undefined ? {} : asRecord(options);
    const store = this.areas[area];
    const previous = this.live(area, key);
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
    if (area === 'values' && !store.has(key)) this.index.add(key);
    store.set(key, item);
    return item;
  }

  /** Removes an item, expired or not; false when there was none (not persisted). */
  remove(area: KvsArea, key: string): boolean {
    const removed = this.areas[area].delete(key);
    if (removed && area === 'values') this.index.remove();
    return removed;
  }

  /** Replaces every value at once: how a transaction lands, all or nothing. */
  replaceValues(items: Map<string, StoredItem>): void {
    const values = this.areas.values;
    values.clear();
    for (const [key, item] of items) values.set(key, item);
    this.index.reset(values.keys());
  }

  /** A copy of the values, for staging a transaction. */
  copyValues(): Map<string, StoredItem> {
    return new Map(this.areas.values);
  }

  persist(): void {
    if (!this.persistFile) return;
    const snapshot = { values: [...this.areas.values], secrets: [...this.areas.secrets] };
    const temporary = `${this.persistFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(snapshot));
    renameSync(temporary, this.persistFile);
  }

  private load(file: string): void {
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { values: [string, StoredItem][]; secrets: [string, StoredItem][] };
    for (const [key, item] of snapshot.values) this.areas.values.set(key, item);
    this.index.reset(this.areas.values.keys());
    for (const [key, item] of snapshot.secrets) this.areas.secrets.set(key, item);
  }
}
