import { kvs } from '@forge/kvs';
import { perInstallation } from './installation';
import { errorName } from './log-safe';
import { pushDrainMessage } from './retry-queue';
import { StorageKeys } from './storage-keys';

// When the backlog's drain (platform/drain.ts) runs: one queue message for a burst of failures,
// brought forward when the stream works again.

/** A scheduled drain this far past its time was lost (its queue message with it): another may be scheduled. */
const STALE_SCHEDULE_MS = 10 * 60_000;
/** How often one instance may nudge a waiting drain when its own deliveries succeed. */
const KICK_INTERVAL_MS = 60_000;

interface ScheduledDrain {
  dueAt: number;
}

/** A FAIL_IF_EXISTS write met an existing key (HTTP 409, whatever the code says). */
export function isConflict(error: unknown): boolean {
  const details = (error as { responseDetails?: { status?: unknown } } | null)?.responseDetails;
  return details?.status === 409;
}

/**
 * Asks for a drain in `delaySeconds`. Without `force`, an already scheduled drain is enough (one
 * queue message for a burst of failures); `force` replaces it (a settings save, a Retry all, the
 * drain itself). Returns when the drain that will run is due.
 */
export async function requestDrain(
  now: number,
  options: { delaySeconds?: number; force?: boolean; includeHeld?: boolean } = {},
): Promise<number> {
  const delaySeconds = Math.max(0, Math.round(options.delaySeconds ?? 0));
  const marker: ScheduledDrain = { dueAt: now + delaySeconds * 1000 };
  const ttl = { value: delaySeconds + 3_600, unit: 'SECONDS' as const };
  const known = drainsOfInstallation();
  if (options.force) {
    await kvs.set(StorageKeys.drainScheduled, marker, { ttl });
  } else {
    // A storm of failures in one instance asks storage once per scheduled drain, not once per event.
    if (now < known.scheduledDueAt) return known.scheduledDueAt;
    try {
      await kvs.set(StorageKeys.drainScheduled, marker, { keyPolicy: 'FAIL_IF_EXISTS', ttl });
    } catch (error) {
      if (!isConflict(error)) throw error;
      const scheduled = await kvs.get<ScheduledDrain>(StorageKeys.drainScheduled);
      if (scheduled && scheduled.dueAt > now - STALE_SCHEDULE_MS) {
        known.scheduledDueAt = Math.max(now, scheduled.dueAt);
        return known.scheduledDueAt;
      }
      await kvs.set(StorageKeys.drainScheduled, marker, { ttl });
    }
  }
  try {
    await pushDrainMessage(delaySeconds, options.includeHeld === true);
  } catch (error) {
    // No drain is coming after all: the next failure or heartbeat may schedule one.
    await kvs.delete(StorageKeys.drainScheduled).catch(() => undefined);
    known.scheduledDueAt = 0;
    throw error;
  }
  known.scheduledDueAt = marker.dueAt;
  return marker.dueAt;
}

interface DrainKnowledge {
  /** Until then, a drain is known to be on the queue: no need to ask storage. */
  scheduledDueAt: number;
  /** This instance put something in the backlog until about then. */
  backlogSeenUntil: number;
  lastKickAt: number;
}

const drainsOfInstallation = perInstallation<DrainKnowledge>(() => ({ scheduledDueAt: 0, backlogSeenUntil: 0, lastKickAt: 0 }));

/** This instance put something in the backlog: its next successful delivery nudges the drain. */
export function noteBacklogged(now: number): void {
  drainsOfInstallation().backlogSeenUntil = now + 3_600_000;
}

/**
 * Coralogix just took an entry: if this instance knows of a backlog whose drain waits for later,
 * it is brought forward, so recovery does not wait out the last back-off. At most once a minute.
 */
export async function kickDrainAfterSuccess(now: number): Promise<void> {
  const kicks = drainsOfInstallation();
  if (now > kicks.backlogSeenUntil || now - kicks.lastKickAt < KICK_INTERVAL_MS) return;
  kicks.lastKickAt = now;
  try {
    // Only a drain waiting out a back-off is brought forward: none scheduled means none is needed
    // (the backlog is empty or being drained), and the heartbeat covers a drain that was lost.
    const scheduled = await kvs.get<ScheduledDrain>(StorageKeys.drainScheduled);
    if (scheduled && scheduled.dueAt > now + KICK_INTERVAL_MS) await requestDrain(now, { force: true });
  } catch (error) {
    console.warn(`Could not bring the backlog's drain forward (${errorName(error)}); it runs as scheduled`);
  }
}

/** A drain now, unless one is due within the minute anyway. */
export async function bringDrainForward(now: number): Promise<void> {
  const scheduled = await kvs.get<ScheduledDrain>(StorageKeys.drainScheduled);
  if (!scheduled || scheduled.dueAt > now + KICK_INTERVAL_MS) await requestDrain(now, { force: true });
}
