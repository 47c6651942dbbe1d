import { kvs } from '@forge/kvs';
import { randomUUID } from 'node:crypto';
import { backlogItemId, causeOf, drainStopAfter } from '../core/backlog';
import type { DeliveryOutcome } from '../core/outcome';
import { offersVersionTags } from '../core/regions';
import type { FailureCause } from '../core/retry-policy';
import type { DeliverySettings } from '../core/settings';
import { TAG_OUTBOX_CAPACITY, type VersionTagBody, type WaitingTag } from '../core/version-tag';
import { isConflict } from './drain-schedule';
import { pageWithPrefix } from './kvs-paging';
import { acquireLease, releaseLease } from './lease';
import { errorName } from './log-safe';
import { pushTagsMessage } from './retry-queue';
import { readDeliverySettings } from './settings-store';
import { StorageKeys } from './storage-keys';
import { sendVersionTag } from './transport';

// Version tags have the log entries' guarantees with a lane of their own: another host, another key,
// other failures. A tag that cannot be created at once is kept in the installation's storage (the
// outbox) and retried from the queue with back-off until it is created or an admin discards it; a
// refused tags key never holds back the logs, and a Coralogix outage of logs never holds back tags.
// Deployments are a few a day, so the outbox is small and read whole.

/** One retry run: well inside the consumer's timeout, however slow the tags API answers. */
const RUN_LIMIT = 50;
const LEASE_S = 360;
/** A scheduled retry this far past its time was lost with its queue message: another may be scheduled. */
const STALE_SCHEDULE_MS = 10 * 60_000;

export interface TagsState {
  /** Why the oldest waiting tag waits, in words; null when nothing failed. */
  reason: string | null;
  cause: FailureCause | null;
  nextAttemptAt: number | null;
  consecutiveFailures: number;
  lastCreated: { name: string; at: number } | null;
  /** Tags dropped beyond TAG_OUTBOX_CAPACITY since the installation began. */
  dropped: number;
}

const IDLE: TagsState = { reason: null, cause: null, nextAttemptAt: null, consecutiveFailures: 0, lastCreated: null, dropped: 0 };

export async function readTagsState(): Promise<TagsState> {
  return { ...IDLE, ...((await kvs.get<TagsState>(StorageKeys.tagsState)) ?? {}) };
}

async function updateTagsState(change: Partial<TagsState>): Promise<void> {
  await kvs.set(StorageKeys.tagsState, { ...(await readTagsState()), ...change });
}

/** The reason an admin reads: a refused key here is the tags key, not the Send-Your-Data key. */
function reasonOf(outcome: Exclude<DeliveryOutcome, { kind: 'delivered' }>): string {
  if (outcome.kind === 'rejected' && outcome.cause === 'configuration' && outcome.status !== undefined) {
    return `Coralogix refused the tags API key (HTTP ${outcome.status}): it needs the CICD integration permissions and must belong to the selected region`;
  }
  return outcome.reason.replace('the entry', 'the version tag');
}

/** Tags need their own key and a region that has a tags API. */
function tagsTarget(settings: DeliverySettings): { region: DeliverySettings['region']; key: string } | undefined {
  if (!settings.versionTags.enabled || !settings.tagsApiKey || !offersVersionTags(settings.region)) return undefined;
  return { region: settings.region, key: settings.tagsApiKey };
}

export type TagResult =
  | { readonly result: 'created'; readonly name: string }
  | { readonly result: 'waiting'; readonly name: string; readonly reason: string; readonly retryDueAt: number };

/**
 * A deployment's tag: created now, or kept and retried. The item's id comes from the deployment's
 * time and event id, so the platform delivering the event twice keeps one item. Throws only when the
 * tag could neither be created nor kept: the caller then hands the whole event back for a retry.
 */
export async function createVersionTag(
  tag: VersionTagBody,
  about: { eventId: string; repository: string | null; environment: string | null },
  settings: DeliverySettings,
  now: number,
): Promise<TagResult> {
  const target = tagsTarget(settings);
  const outcome: DeliveryOutcome = target
    ? await sendVersionTag(target.region, target.key, tag)
    : { kind: 'rejected', cause: 'configuration', reason: 'Version tags have no API key' };
  if (outcome.kind === 'delivered') {
    await updateTagsState({ lastCreated: { name: tag.name, at: now } }).catch((error: unknown) =>
      console.warn(`The version tag was created, but its time could not be stored (${errorName(error)})`),
    );
    return { result: 'created', name: tag.name };
  }
  const reason = reasonOf(outcome);
  const waiting: WaitingTag = {
    ...about,
    name: tag.name,
    body: tag,
    cause: causeOf(outcome),
    reason,
    attempts: 1,
    firstAttemptAt: now,
    lastAttemptAt: now,
  };
  await keepTag(waiting, now);
  const retryDueAt = await requestTagsRetry(now, { delaySeconds: delayAfter(outcome, 0) });
  const state = await readTagsState();
  // A retry already under way keeps its own count and time; a first failure starts them.
  if (state.reason === null) {
    await updateTagsState({ reason, cause: causeOf(outcome), nextAttemptAt: retryDueAt, consecutiveFailures: 1 });
  }
  console.warn(`Version tag for event ${about.eventId} not created yet (${causeOf(outcome)}); kept for retry`);
  return { result: 'waiting', name: tag.name, reason, retryDueAt };
}

/** The drain's back-off (core/backlog.ts): a refused key is probed every 15 minutes, anything else backs off from 30 s. */
function delayAfter(outcome: Exclude<DeliveryOutcome, { kind: 'delivered' }>, failures: number): number {
  return drainStopAfter(outcome, failures + 1).delaySeconds;
}

const tagKey = (id: string) => `${StorageKeys.tagItemPrefix}${id}`;

async function keepTag(tag: WaitingTag, now: number): Promise<void> {
  const id = backlogItemId(tag.body.timestamp, tag.eventId);
  try {
    await kvs.set(tagKey(id), tag, { keyPolicy: 'FAIL_IF_EXISTS' });
  } catch (error) {
    // The same deployment's tag is already kept (the platform delivered its event again).
    if (isConflict(error)) return;
    throw error;
  }
  await enforceTagCapacity(now);
}

export async function waitingTags(limit: number = TAG_OUTBOX_CAPACITY): Promise<Array<{ id: string; tag: WaitingTag }>> {
  const tags: Array<{ id: string; tag: WaitingTag }> = [];
  let cursor: string | undefined;
  do {
    const page = await pageWithPrefix<WaitingTag>(StorageKeys.tagItemPrefix, Math.min(100, limit - tags.length), cursor);
    tags.push(...page.results.map((result) => ({ id: result.id, tag: result.value })));
    cursor = page.nextCursor;
  } while (cursor && tags.length < limit);
  return tags;
}

/** Beyond the capacity the oldest tags are dropped, counted for the status panel, never unseen. */
async function enforceTagCapacity(now: number): Promise<void> {
  const all = await waitingTags(TAG_OUTBOX_CAPACITY + 50);
  const excess = all.length - TAG_OUTBOX_CAPACITY;
  if (excess <= 0) return;
  for (const { id } of all.slice(0, excess)) await kvs.delete(tagKey(id));
  const state = await readTagsState();
  await updateTagsState({ dropped: state.dropped + excess });
  console.warn(`The version tags outbox was over its capacity at ${new Date(now).toISOString()}: ${excess} oldest dropped, and counted`);
}

/** Retry all: held tags go back in the retry's way, and a run starts now. */
export async function retryAllTags(now: number): Promise<number> {
  const all = await waitingTags();
  for (const { id, tag } of all) if (tag.held) await kvs.set(tagKey(id), { ...tag, held: false } satisfies WaitingTag);
  if (all.length > 0) await requestTagsRetry(now, { force: true });
  return all.length;
}

export async function discardTag(id: string): Promise<boolean> {
  const existing = await kvs.get<WaitingTag>(tagKey(id));
  if (!existing) return false;
  await kvs.delete(tagKey(id));
  return true;
}

interface ScheduledRetry {
  dueAt: number;
}

/**
 * Asks for a retry run in `delaySeconds`: one queue message for a burst of failures (a scheduled
 * run is enough) unless `force` brings it forward (a settings save, Retry all). Returns its due time.
 */
export async function requestTagsRetry(now: number, options: { delaySeconds?: number; force?: boolean } = {}): Promise<number> {
  const delaySeconds = Math.max(0, Math.round(options.delaySeconds ?? 0));
  const marker: ScheduledRetry = { dueAt: now + delaySeconds * 1000 };
  const ttl = { value: delaySeconds + 3_600, unit: 'SECONDS' as const };
  if (!options.force) {
    const scheduled = await kvs.get<ScheduledRetry>(StorageKeys.tagsScheduled);
    if (scheduled && scheduled.dueAt > now - STALE_SCHEDULE_MS) return Math.max(now, scheduled.dueAt);
  }
  await kvs.set(StorageKeys.tagsScheduled, marker, { ttl });
  try {
    await pushTagsMessage(delaySeconds);
  } catch (error) {
    await kvs.delete(StorageKeys.tagsScheduled).catch(() => undefined);
    throw error;
  }
  return marker.dueAt;
}

export type TagsRunResult =
  | { readonly status: 'busy' | 'idle' }
  | { readonly status: 'paused'; readonly reason: string; readonly waiting: number }
  | { readonly status: 'done'; readonly created: number }
  | { readonly status: 'stopped'; readonly created: number; readonly reason: string; readonly delaySeconds: number };

/** One retry run (the queue consumer's `tags` message): oldest first, stopping at the first failure. */
export async function runTagsRetry(now: number): Promise<TagsRunResult> {
  await kvs.delete(StorageKeys.tagsScheduled).catch(() => undefined);
  const owner = randomUUID();
  if (!(await acquireLease(StorageKeys.tagsLease, now, owner, LEASE_S))) return { status: 'busy' };
  try {
    // Held tags (refused as they are) wait for the admin's Retry all; the rest go oldest first.
    const all = await waitingTags();
    const tags = all.filter(({ tag }) => tag.held !== true);
    if (tags.length === 0) {
      await updateTagsState({ reason: null, cause: null, nextAttemptAt: null, consecutiveFailures: 0 });
      return { status: 'idle' };
    }
    const settings = await readDeliverySettings();
    const target = settings && tagsTarget(settings);
    if (!target) {
      // Kept, not dropped: the admin may switch tags on again, or discard them.
      const reason = 'Version tags are switched off or have no API key: they wait until tags are set up again, or are discarded';
      await updateTagsState({ reason, cause: 'configuration', nextAttemptAt: null });
      return { status: 'paused', reason, waiting: all.length };
    }
    const state = await readTagsState();
    let created = 0;
    let lastCreated = state.lastCreated;
    for (const { id, tag } of tags.slice(0, RUN_LIMIT)) {
      const outcome = await sendVersionTag(target.region, target.key, tag.body);
      if (outcome.kind === 'delivered') {
        await kvs.delete(tagKey(id));
        created += 1;
        lastCreated = { name: tag.name, at: Date.now() };
        continue;
      }
      const reason = reasonOf(outcome);
      const held = outcome.kind === 'rejected' && outcome.cause !== 'configuration';
      const tried: WaitingTag = { ...tag, cause: causeOf(outcome), reason, attempts: tag.attempts + 1, lastAttemptAt: now, held };
      await kvs.set(tagKey(id), tried);
      // Coralogix refused this tag as it is: sending it again cannot help, the others may still pass.
      if (held) continue;
      const delaySeconds = delayAfter(outcome, created > 0 ? 0 : state.consecutiveFailures);
      await updateTagsState({
        reason,
        cause: causeOf(outcome),
        nextAttemptAt: now + delaySeconds * 1000,
        consecutiveFailures: created > 0 ? 1 : state.consecutiveFailures + 1,
        lastCreated,
      });
      await requestTagsRetry(now, { delaySeconds, force: true });
      return { status: 'stopped', created, reason, delaySeconds };
    }
    const more = tags.length > RUN_LIMIT;
    await updateTagsState({ reason: null, cause: null, nextAttemptAt: more ? now : null, consecutiveFailures: 0, lastCreated });
    if (more) await requestTagsRetry(now, { force: true });
    return { status: 'done', created };
  } finally {
    await releaseLease(StorageKeys.tagsLease, owner).catch(() => undefined);
  }
}

/** The heartbeat's safety net: waiting tags whose queue message was lost get a retry scheduled again. */
export async function scheduleWaitingTags(now: number): Promise<void> {
  if ((await waitingTags(1)).length > 0) await requestTagsRetry(now, { delaySeconds: 60 });
}
