import { getAppContext } from '@forge/api';
import { kvs } from '@forge/kvs';
import { randomUUID } from 'node:crypto';
import {
  BACKLOG_CAPACITY_EVENTS,
  causeOf,
  droppedEventsEntry,
  drainStopAfter,
  IDLE_DRAIN_STATE,
  MAX_DRAIN_REQUEST_BYTES,
  MAX_DRAIN_REQUEST_ENTRIES,
  planBatches,
  secondsUntilShareLasts,
  spendsWithinMinute,
  withSpend,
  type DrainState,
  type DrainStop,
  type StorageSpend,
  type StorageSpent,
  type DroppedEvents,
} from '../core/backlog';
import type { DeliverySettings } from '../core/settings';
import { byteLength, fitEntry, REDUCED_ENTRY_TEXT_BYTES } from '../core/size';
import {
  backlogCount,
  BATCH_KEYS,
  holdItem,
  oldestItems,
  releaseHeldItem,
  removeFromBacklog,
  settleEmptyBacklog,
  type BacklogItem,
} from './backlog';
import { countDelivery, countFailure, flushHealth } from './health';
import { errorName } from './log-safe';
import { requestDrain } from './drain-schedule';
import { acquireLease, releaseLease } from './lease';
import { readDeliverySettings } from './settings-store';
import { StorageKeys } from './storage-keys';
import { sendEntries } from './transport';

// One drain per installation sends the backlog back to Coralogix, oldest first, many entries to a
// request. It runs in the queue consumer (up to DRAIN_FUNCTION_TIMEOUT_S, manifest.yml), holds a
// lease while it runs so that a Retry all, a heartbeat and a scheduled drain never send the same
// entry twice, and deletes what Coralogix accepted before it sends more. A drain that cannot finish
// in one invocation asks for the next.

/** manifest.yml: the consumer function's timeoutSeconds. */
export const DRAIN_FUNCTION_TIMEOUT_S = 300;
/** Longer than any invocation can run, so a lease outlives its holder only when the holder died. */
const LEASE_S = DRAIN_FUNCTION_TIMEOUT_S + 60;
/** Kept for the last request and the bookkeeping after it. */
const RESERVE_MS = 20_000;
/** Forge allows 100 egress requests per invocation-minute; bisecting a refused batch may need many. */
const MAX_REQUESTS_PER_RUN = 90;
const PAGE_SIZE = 100;
/** What a drain sends first after a failed attempt: enough to tell whether Coralogix takes entries again. */
const PROBE_SIZE = 10;
const UNIT_BYTES = 10 * 1024;
/** Well under Forge's 1,000 storage requests a second per installation, however fast storage answers. */
const STORAGE_REQUESTS_PER_RUN = 400;

export async function readDrainState(): Promise<DrainState> {
  return (await kvs.get<DrainState>(StorageKeys.drainState)) ?? IDLE_DRAIN_STATE;
}

export type DrainResult =
  | { readonly status: 'busy' }
  | { readonly status: 'paused'; readonly reason: string }
  | { readonly status: 'drained'; readonly delivered: number; readonly held: number }
  | { readonly status: 'continuing'; readonly delivered: number; readonly held: number; readonly delaySeconds: number }
  | { readonly status: 'stopped'; readonly delivered: number; readonly held: number; readonly stop: DrainStop };

function remainingMs(): number {
  try {
    const remaining = getAppContext().invocationRemainingTimeInMillis();
    return Number.isFinite(remaining) ? remaining : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** What one run spends, so it stays within its share of the storage limits and the egress limit. */
class RunBudget {
  requests = 0;
  readUnits = 0;
  writeUnits = 0;
  /** Storage requests of this run: Forge takes 1,000 a second per installation, for everything the installation does. */
  storageRequests: number;
  private readonly earlier: StorageSpend[];
  private readonly requestsSince: number;

  /** Counts what earlier runs spent in the last minute, so runs close together share one minute's share. */
  constructor(now: number, earlier: StorageSpent | undefined) {
    // A state written before spends were listed carries none: that run's minute is long over or was
    // within the share, so at most one share more is spent beside it, within Forge's limit.
    this.earlier = spendsWithinMinute(earlier?.lastMinute ?? [], now);
    const sameSecond = earlier?.requestsSince !== undefined && now - earlier.requestsSince < 1_000 && now >= earlier.requestsSince;
    this.requestsSince = sameSecond ? (earlier.requestsSince ?? now) : now;
    this.storageRequests = sameSecond ? (earlier.requests ?? 0) : 0;
  }

  /** What to record when the run ends, at `now`. */
  spent(now: number): StorageSpent {
    return {
      lastMinute: withSpend(this.earlier, { at: now, readUnits: this.readUnits, writeUnits: this.writeUnits }),
      requestsSince: this.requestsSince,
      requests: this.storageRequests,
    };
  }

  /**
   * Seconds to pause before going on: until enough of the last minute's storage units leave it when
   * the drain's share is spent, a second when its share of storage requests is; 0 while both last.
   */
  storageWaitSeconds(now: number): number {
    const unitsWait = secondsUntilShareLasts(this.earlier, this, now);
    if (unitsWait > 0) return unitsWait;
    return this.storageRequests >= STORAGE_REQUESTS_PER_RUN ? 1 : 0;
  }

  exhausted(): boolean {
    return this.requests > 0 && (this.requests >= MAX_REQUESTS_PER_RUN || remainingMs() < RESERVE_MS);
  }
}

const entryBytes = (item: BacklogItem) => byteLength(JSON.stringify(item.delivery.entry));
/** A stored body as a query answers it: the value, its key and the metadata around them. */
const storedBytes = (item: BacklogItem) => byteLength(JSON.stringify(item.delivery)) + STORED_OVERHEAD_BYTES;
const STORED_OVERHEAD_BYTES = 200;

type BatchOutcome = { delivered: number; held: number; stop?: DrainStop };

/**
 * Sends one batch; what Coralogix refuses as it is (malformed, too large) is halved until the
 * refused entry stands alone, and that one is held for the admin. Stops at the first failure of the
 * stream as a whole (unavailable, key refused).
 */
async function sendBatch(
  batch: BacklogItem[],
  settings: DeliverySettings,
  budget: RunBudget,
  failures: number,
  now: number,
): Promise<BatchOutcome> {
  budget.requests += 1;
  const outcome = await sendEntries(
    settings,
    batch.map((item) => item.delivery.entry),
  );
  if (outcome.kind === 'delivered') {
    await removeFromBacklog(batch, now);
    const deletes = Math.ceil((batch.length * 2) / BATCH_KEYS);
    budget.writeUnits += deletes;
    budget.storageRequests += deletes + 1;
    countDelivery('delivered', now, batch.length);
    return { delivered: batch.length, held: 0 };
  }
  countFailure(outcome.reason, now);
  const cause = causeOf(outcome);
  if (cause !== 'malformed' && cause !== 'too-large') return { delivered: 0, held: 0, stop: drainStopAfter(outcome, failures + 1) };
  if (batch.length === 1) {
    const [item] = batch as [BacklogItem];
    const smaller = cause === 'too-large' ? fitEntry(item.delivery.entry, REDUCED_ENTRY_TEXT_BYTES) : item.delivery.entry;
    if (smaller !== item.delivery.entry && !budget.exhausted()) {
      return sendBatch([{ ...item, delivery: { ...item.delivery, entry: smaller } }], settings, budget, failures, now);
    }
    await holdItem(
      { ...item, delivery: { ...item.delivery, attempts: item.delivery.attempts + 1, lastAttemptAt: now } },
      cause,
      outcome.reason,
      now,
    );
    return { delivered: 0, held: 1 };
  }
  const middle = Math.ceil(batch.length / 2);
  const total: BatchOutcome = { delivered: 0, held: 0 };
  for (const half of [batch.slice(0, middle), batch.slice(middle)]) {
    if (budget.exhausted()) break;
    const result = await sendBatch(half, settings, budget, failures, now);
    total.delivered += result.delivered;
    total.held += result.held;
    if (result.stop) return { ...total, stop: result.stop };
  }
  return total;
}

/**
 * Up to one request's worth of the oldest waiting entries; a probe (the last attempt failed) reads
 * a few only, so a week of failed attempts does not read the backlog again and again.
 */
async function collect(budget: RunBudget, probe: boolean): Promise<BacklogItem[]> {
  const items: BacklogItem[] = [];
  let bytes = 0;
  let cursor: string | undefined;
  do {
    const page = await oldestItems(probe ? PROBE_SIZE : PAGE_SIZE, cursor ? { cursor } : {});
    const pageBytes = page.items.reduce((sum, item) => sum + entryBytes(item), 0);
    // Storage counts what it answers: the stored values with their keys and metadata.
    budget.readUnits += Math.max(1, Math.ceil(page.items.reduce((sum, item) => sum + storedBytes(item), 0) / UNIT_BYTES));
    budget.storageRequests += 1;
    items.push(...page.items);
    bytes += pageBytes;
    if (probe) break;
    cursor = page.cursor;
  } while (
    cursor &&
    items.length < MAX_DRAIN_REQUEST_ENTRIES &&
    bytes < MAX_DRAIN_REQUEST_BYTES &&
    budget.storageWaitSeconds(Date.now()) === 0
  );
  return items;
}

/** Retry all: what Coralogix refused as it was goes back in the drain's way, once. */
async function releaseHeld(budget: RunBudget): Promise<void> {
  for (;;) {
    const page = await oldestItems(PAGE_SIZE, { held: true });
    budget.readUnits += page.items.length;
    budget.storageRequests += 1;
    if (page.items.length === 0) return;
    for (const item of page.items) await releaseHeldItem(item);
    budget.writeUnits += page.items.length * 2;
    budget.storageRequests += page.items.length * 3;
    if (budget.storageWaitSeconds(Date.now()) > 0 || remainingMs() < RESERVE_MS) return;
  }
}

const backloggedAtOf = (item: BacklogItem) => Number(item.id.slice(0, 13));

/**
 * Beyond the backlog's capacity the oldest events are dropped, never unseen: how many and from when
 * is kept for the status panel and told to Coralogix once the stream takes entries again.
 */
export async function enforceCapacity(now: number, capacity: number = BACKLOG_CAPACITY_EVENTS): Promise<number> {
  let excess = (await backlogCount()) - capacity;
  if (excess <= 0) return 0;
  let dropped = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  while (excess > 0) {
    const page = await oldestItems(Math.min(PAGE_SIZE, excess));
    if (page.items.length === 0) break;
    await removeFromBacklog(page.items, now);
    for (const item of page.items) {
      first = Math.min(first, backloggedAtOf(item));
      last = Math.max(last, backloggedAtOf(item));
    }
    dropped += page.items.length;
    excess -= page.items.length;
  }
  if (dropped === 0) return 0;
  const before = await kvs.get<DroppedEvents>(StorageKeys.backlogDropped);
  const unreported = before && before.reportedAt === null ? before : undefined;
  const record: DroppedEvents = {
    count: (unreported?.count ?? 0) + dropped,
    firstBackloggedAt: Math.min(unreported?.firstBackloggedAt ?? first, first),
    lastBackloggedAt: Math.max(unreported?.lastBackloggedAt ?? last, last),
    reportedAt: null,
  };
  await kvs.set(StorageKeys.backlogDropped, record);
  console.warn(`The backlog was over its capacity of ${capacity} events: the ${dropped} oldest were dropped, and counted`);
  return dropped;
}

export async function readDroppedEvents(): Promise<DroppedEvents | null> {
  return (await kvs.get<DroppedEvents>(StorageKeys.backlogDropped)) ?? null;
}

/** Tells Coralogix about events dropped for room, before anything else is sent; undefined when there is nothing to tell. */
async function reportDropped(settings: DeliverySettings, budget: RunBudget, now: number): Promise<DrainStop | undefined> {
  const dropped = await readDroppedEvents();
  if (!dropped || dropped.reportedAt !== null) return undefined;
  budget.requests += 1;
  const outcome = await sendEntries(settings, [droppedEventsEntry(settings, dropped, now)]);
  if (outcome.kind === 'delivered') {
    await kvs.set(StorageKeys.backlogDropped, { ...dropped, reportedAt: now } satisfies DroppedEvents);
    return undefined;
  }
  countFailure(outcome.reason, now);
  return drainStopAfter(outcome, 1);
}

async function writeState(state: DrainState): Promise<void> {
  await kvs.set(StorageKeys.drainState, state);
}

/**
 * One drain run (the queue consumer's `drain` message). Whatever stops it, it leaves every entry
 * either delivered and removed, or still in the backlog, and asks for the next run when one is due.
 */
export async function runDrain(now: number, options: { includeHeld?: boolean; capacity?: number } = {}): Promise<DrainResult> {
  // The message that started this run is spent: a failure from now on may schedule the next.
  await kvs.delete(StorageKeys.drainScheduled).catch(() => undefined);
  const owner = randomUUID();
  if (!(await acquireLease(StorageKeys.drainLease, now, owner, LEASE_S))) {
    // The running drain may end before it sees what was just added: look again after it.
    await requestDrain(now, { delaySeconds: 60 });
    return { status: 'busy' };
  }
  try {
    await enforceCapacity(now, options.capacity);
    const previous = await readDrainState();
    const settings = await readDeliverySettings();
    if (!settings || !settings.forwardingEnabled) {
      const reason = settings ? 'Forwarding is switched off' : 'The Coralogix settings are not saved';
      await writeState({
        ...previous,
        phase: 'paused',
        reason,
        since: previous.phase === 'paused' ? previous.since : now,
        nextAttemptAt: null,
      });
      return { status: 'paused', reason };
    }
    const budget = new RunBudget(now, previous.spent);
    if (options.includeHeld) await releaseHeld(budget);
    const startedRun = previous.phase === 'idle' || previous.phase === 'paused';
    let delivered = 0;
    let held = 0;
    let result: DrainResult | undefined;
    let probe = previous.phase === 'retrying' || previous.phase === 'waiting-for-settings';
    const reportStop = await reportDropped(settings, budget, now);
    if (reportStop) result = { status: 'stopped', delivered, held, stop: reportStop };
    while (!result) {
      const waitS = budget.storageWaitSeconds(Date.now());
      if (budget.exhausted() || waitS > 0) {
        result = { status: 'continuing', delivered, held, delaySeconds: waitS };
        break;
      }
      const items = await collect(budget, probe);
      if (items.length === 0) {
        result = { status: 'drained', delivered, held };
        break;
      }
      for (const batch of planBatches(items, entryBytes)) {
        const outcome = await sendBatch(batch, settings, budget, previous.consecutiveFailures, now);
        delivered += outcome.delivered;
        held += outcome.held;
        if (outcome.stop) {
          result = { status: 'stopped', delivered, held, stop: outcome.stop };
          break;
        }
        probe = false;
        if (budget.exhausted()) break;
      }
    }
    const drainedInRun = (startedRun ? 0 : previous.drainedInRun) + delivered;
    const lastDrainedAt = delivered > 0 ? Date.now() : previous.lastDrainedAt;
    if (result.status === 'stopped') {
      const { phase, reason, delaySeconds } = result.stop;
      await writeState({
        phase,
        reason,
        since: previous.phase === phase ? previous.since : now,
        nextAttemptAt: now + delaySeconds * 1000,
        consecutiveFailures: delivered > 0 ? 1 : previous.consecutiveFailures + 1,
        drainedInRun,
        lastDrainedAt,
        spent: budget.spent(Date.now()),
      });
      await requestDrain(now, { delaySeconds, force: true });
    } else if (result.status === 'continuing') {
      await writeState({
        phase: 'draining',
        reason: null,
        since: previous.phase === 'draining' ? previous.since : now,
        nextAttemptAt: now + result.delaySeconds * 1000,
        consecutiveFailures: 0,
        drainedInRun,
        lastDrainedAt,
        spent: budget.spent(Date.now()),
      });
      await requestDrain(now, { delaySeconds: result.delaySeconds, force: true });
    } else {
      const heldLeft = (await oldestItems(1, { held: true })).items.length > 0;
      if (!heldLeft) await settleEmptyBacklog(now);
      await writeState({ ...IDLE_DRAIN_STATE, since: now, drainedInRun, lastDrainedAt, spent: budget.spent(Date.now()) });
    }
    return result;
  } finally {
    await releaseLease(StorageKeys.drainLease, owner).catch((error: unknown) =>
      console.warn(`Could not release the drain lease (${errorName(error)}); it expires on its own`),
    );
    await flushHealth(now, { force: true });
  }
}
