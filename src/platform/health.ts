import { randomUUID } from 'node:crypto';
import { kvs, WhereConditions } from '@forge/kvs';
import { StorageKeys } from './storage-keys';

// Delivery health for the status panel, kept cheaply: each warm instance counts in memory and writes
// its own hourly bucket at most once a minute (sooner after a failure, at most every 10 s), so a
// burst of successful events costs no KVS write per event. Buckets expire after a day.
export const HEALTH_FLUSH_INTERVAL_MS = 60_000;
export const HEALTH_FAILURE_FLUSH_INTERVAL_MS = 10_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface HealthCounts {
  delivered: number;
  failedAttempts: number;
  retriesScheduled: number;
  deadLettered: number;
  replayed: number;
  discarded: number;
  evicted: number;
  lastSuccessAt: number | null;
  lastFailure: { at: number; reason: string } | null;
}

export interface HeartbeatRecord {
  at: number;
  outcome: 'delivered' | 'failed' | 'not-configured';
  reason?: string;
}

export interface HealthSummary extends HealthCounts {
  lastHeartbeat: HeartbeatRecord | null;
}

type CountName = Exclude<keyof HealthCounts, 'lastSuccessAt' | 'lastFailure'>;

function emptyCounts(): HealthCounts {
  return { delivered: 0, failedAttempts: 0, retriesScheduled: 0, deadLettered: 0, replayed: 0, discarded: 0, evicted: 0, lastSuccessAt: null, lastFailure: null };
}

function merge(into: HealthCounts, from: HealthCounts): HealthCounts {
  for (const name of ['delivered', 'failedAttempts', 'retriesScheduled', 'deadLettered', 'replayed', 'discarded', 'evicted'] as const) into[name] += from[name];
  if (from.lastSuccessAt !== null && (into.lastSuccessAt === null || from.lastSuccessAt > into.lastSuccessAt)) into.lastSuccessAt = from.lastSuccessAt;
  if (from.lastFailure && (!into.lastFailure || from.lastFailure.at > into.lastFailure.at)) into.lastFailure = from.lastFailure;
  return into;
}

const instanceId = randomUUID().slice(0, 8);
/** What this instance has written to each of its buckets (only it writes them: no read needed). */
const written = new Map<number, HealthCounts>();
const unflushed = new Map<number, HealthCounts>();
let lastFlushAt = Date.now();

function hourOf(now: number): number {
  return now - (now % HOUR_MS);
}

function pendingBucket(now: number): HealthCounts {
  const hour = hourOf(now);
  let bucket = unflushed.get(hour);
  if (!bucket) {
    bucket = emptyCounts();
    unflushed.set(hour, bucket);
  }
  return bucket;
}

export function countDelivery(name: CountName, now: number = Date.now(), amount = 1): void {
  pendingBucket(now)[name] += amount;
  if (name === 'delivered') pendingBucket(now).lastSuccessAt = now;
}

export function countFailure(reason: string, now: number = Date.now()): void {
  const bucket = pendingBucket(now);
  bucket.failedAttempts += 1;
  bucket.lastFailure = { at: now, reason };
}

/** Writes this instance's counts if they are due; `urgent` after failures, so they surface quickly. */
export async function flushHealth(now: number = Date.now(), options: { urgent?: boolean; force?: boolean } = {}): Promise<void> {
  if (unflushed.size === 0) return;
  const interval = options.urgent ? HEALTH_FAILURE_FLUSH_INTERVAL_MS : HEALTH_FLUSH_INTERVAL_MS;
  if (!options.force && now - lastFlushAt < interval) return;
  lastFlushAt = now;
  const pending = [...unflushed];
  unflushed.clear();
  const totals = pending.map(([hour, counts]) => [hour, merge(merge(emptyCounts(), written.get(hour) ?? emptyCounts()), counts)] as const);
  try {
    await Promise.all(
      totals.map(([hour, total]) => kvs.set(`${StorageKeys.healthBucketPrefix}${hour}:${instanceId}`, total, { ttl: { value: 25, unit: 'HOURS' } })),
    );
    for (const [hour, total] of totals) written.set(hour, total);
  } catch (error) {
    // Counts are best effort; delivery is not. Keep them for the next flush rather than failing an event.
    for (const [hour, counts] of pending) unflushed.set(hour, merge(unflushed.get(hour) ?? emptyCounts(), counts));
    console.warn(`Could not record delivery health: ${error instanceof Error ? error.name : 'unknown error'}`);
  }
}

export async function recordHeartbeat(record: HeartbeatRecord): Promise<void> {
  await kvs.set(StorageKeys.heartbeat, record);
}

/** The last 24 hours across every instance's buckets, plus this instance's unwritten counts. */
export async function readHealth(now: number = Date.now()): Promise<HealthSummary> {
  const total = emptyCounts();
  let cursor: string | undefined;
  do {
    let query = kvs.query().where('key', WhereConditions.beginsWith(StorageKeys.healthBucketPrefix)).limit(100);
    if (cursor) query = query.cursor(cursor);
    const page = await query.getMany<HealthCounts>();
    for (const item of page.results) {
      const hour = Number(item.key.slice(StorageKeys.healthBucketPrefix.length).split(':')[0]);
      if (hour > now - DAY_MS) merge(total, item.value);
    }
    cursor = page.nextCursor;
  } while (cursor);
  for (const [hour, counts] of unflushed) if (hour > now - DAY_MS) merge(total, counts);
  const lastHeartbeat = (await kvs.get<HeartbeatRecord>(StorageKeys.heartbeat)) ?? null;
  return { ...total, lastHeartbeat };
}
