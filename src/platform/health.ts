import { kvs } from '@forge/kvs';
import type { DeliveryOutcome } from '../core/outcome';
import { perInstallation } from './installation';
import { entriesWithPrefix } from './kvs-paging';
import { HOUR_MS, hourOf, hourOfInstanceKey, instanceHourKey, StorageKeys } from './storage-keys';
import {
  emptyCounts,
  mergeCounts,
  type DeliveryCountName,
  type HealthCounts,
  type HealthSummary,
  type HeartbeatRecord,
} from '../core/health';
import { errorName } from './log-safe';

// Delivery health for the status panel, kept cheaply: each warm instance counts in memory, per
// installation, and writes its own hourly bucket. Successful deliveries are written at most once a
// minute, so a burst costs no KVS write per event; a failure (and any count that goes with it) is
// written before the invocation returns, so the panel never shows fewer failures than happened.
// Buckets expire after a day. Forge may reclaim an idle instance without warning: up to a minute of
// one instance's successful deliveries can then go uncounted (never its failures).
export const HEALTH_FLUSH_INTERVAL_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;

interface InstanceCounts {
  /** What this instance has written to each of its buckets (only it writes them: no read needed). */
  readonly written: Map<number, HealthCounts>;
  readonly unflushed: Map<number, HealthCounts>;
  lastFlushAt: number;
  /** Something other than a delivery was counted: the panel must not show fewer failures than happened. */
  urgent: boolean;
}

const countsOfInstallation = perInstallation<InstanceCounts>(() => ({
  written: new Map(),
  unflushed: new Map(),
  lastFlushAt: Date.now(),
  urgent: false,
}));

function pendingBucket(now: number, urgent: boolean): HealthCounts {
  const state = countsOfInstallation();
  if (urgent) state.urgent = true;
  const hour = hourOf(now);
  let bucket = state.unflushed.get(hour);
  if (!bucket) {
    bucket = emptyCounts();
    state.unflushed.set(hour, bucket);
  }
  return bucket;
}

export function countDelivery(name: DeliveryCountName, now: number = Date.now(), amount = 1): void {
  const bucket = pendingBucket(now, name !== 'delivered');
  bucket[name] += amount;
  if (name === 'delivered') bucket.lastSuccessAt = now;
}

export function countFailure(reason: string, now: number = Date.now()): void {
  const bucket = pendingBucket(now, true);
  bucket.failedAttempts += 1;
  bucket.lastFailure = { at: now, reason };
}

/**
 * Writes this instance's counts for the installation when they are due: at once after anything but
 * a delivery (a failure, a replay, a discard), or when `force`d (the end of a drain, the heartbeat);
 * deliveries alone at most once a minute.
 */
export async function flushHealth(now: number = Date.now(), options: { force?: boolean } = {}): Promise<void> {
  const state = countsOfInstallation();
  const { written, unflushed } = state;
  if (unflushed.size === 0) return;
  if (!options.force && !state.urgent && now - state.lastFlushAt < HEALTH_FLUSH_INTERVAL_MS) return;
  state.lastFlushAt = now;
  state.urgent = false;
  const pending = [...unflushed];
  unflushed.clear();
  const totals = pending.map(
    ([hour, counts]) => [hour, mergeCounts(mergeCounts(emptyCounts(), written.get(hour) ?? emptyCounts()), counts)] as const,
  );
  try {
    await Promise.all(
      totals.map(([hour, total]) =>
        kvs.set(instanceHourKey(StorageKeys.healthBucketPrefix, hour), total, { ttl: { value: 25, unit: 'HOURS' } }),
      ),
    );
    for (const [hour, total] of totals) written.set(hour, total);
  } catch (error) {
    // Counts are best effort; delivery is not. Keep them for the next flush rather than failing an event.
    for (const [hour, counts] of pending) unflushed.set(hour, mergeCounts(unflushed.get(hour) ?? emptyCounts(), counts));
    console.warn(`Could not record delivery health: ${errorName(error)}`);
  }
}

/**
 * A connection test is a delivery like any other when it used the saved key and region: counted and
 * written at once, so the status read right after it shows it (a test is one click, not a burst).
 * A test of unsaved values says nothing about the stream, so it is left out. Returns whether it counted.
 */
export async function countTestEvent(outcome: DeliveryOutcome, savedDestination: boolean, now: number = Date.now()): Promise<boolean> {
  if (!savedDestination) return false;
  if (outcome.kind === 'delivered') countDelivery('delivered', now);
  else countFailure(outcome.reason, now);
  await flushHealth(now, { force: true });
  return true;
}

export async function recordHeartbeat(record: HeartbeatRecord): Promise<void> {
  await kvs.set(StorageKeys.heartbeat, record);
}

/** The last 24 hours across every instance's buckets, plus this instance's unwritten counts. */
export async function readHealth(now: number = Date.now()): Promise<HealthSummary> {
  const total = emptyCounts();
  for await (const item of entriesWithPrefix<HealthCounts>(StorageKeys.healthBucketPrefix)) {
    const hour = hourOfInstanceKey(StorageKeys.healthBucketPrefix, item.key);
    if (hour > now - DAY_MS) mergeCounts(total, item.value);
  }
  for (const [hour, counts] of countsOfInstallation().unflushed) if (hour > now - DAY_MS) mergeCounts(total, counts);
  const lastHeartbeat = (await kvs.get<HeartbeatRecord>(StorageKeys.heartbeat)) ?? null;
  return { ...total, lastHeartbeat };
}
