import { kvs } from '@forge/kvs';
import { backlogItemId, backlogSummaryOf, type BacklogSummary } from '../core/backlog';
import type { PendingDelivery } from '../core/pending';
import type { FailureCause } from '../core/retry-policy';
import { perInstallation } from './installation';
import { entriesWithPrefix, pageWithPrefix } from './kvs-paging';
import { HOUR_MS, hourOf, hourOfInstanceKey, instanceHourKey, StorageKeys } from './storage-keys';

// The backlog in the installation's KVS. Bodies and summaries are apart, so listing and counting
// never read an entry; item ids are time-ordered, so the drain pages oldest first. The count is
// kept in tallies (each instance writes its own, so no two writers race for a key) and settled
// against a base whenever the drain finds the backlog empty: no scan on any path.

// Forge batch operations name at most 25 keys ("Executing batch operations").
export const BATCH_KEYS = 25;

export interface BacklogItem {
  readonly id: string;
  readonly held: boolean;
  readonly delivery: PendingDelivery;
}

interface Tally {
  added: number;
  removed: number;
}

interface TallyBase {
  /** Added to the sum of the tallies: what makes it zero when the backlog was last found empty. */
  offset: number;
  /** Tallies folded into the offset, ignored until deleted. */
  folded: string[];
}

const talliesOfInstallation = perInstallation<Map<number, Tally>>(() => new Map());

function tallyEntry(now: number, change: Partial<Tally>): { key: string; value: Tally } {
  const hour = hourOf(now);
  const tallies = talliesOfInstallation();
  const tally = tallies.get(hour) ?? { added: 0, removed: 0 };
  tally.added += change.added ?? 0;
  tally.removed += change.removed ?? 0;
  tallies.set(hour, tally);
  return { key: instanceHourKey(StorageKeys.backlogTallyPrefix, hour), value: { ...tally } };
}

const bodyKey = (id: string, held: boolean) => `${held ? StorageKeys.backlogHeldPrefix : StorageKeys.backlogBodyPrefix}${id}`;
const summaryKey = (id: string) => `${StorageKeys.backlogItemPrefix}${id}`;

class BacklogWriteError extends Error {
  constructor(what: string) {
    super(`The backlog could not store ${what}`);
    this.name = 'BacklogWriteError';
  }
}

/**
 * Keeps an undelivered entry: body, summary and this instance's tally in one batch request. Throws
 * when the body was not stored (the caller then keeps it elsewhere); a missing summary or tally only
 * hides it from the list or the count until the drain sends it.
 */
export async function addToBacklog(delivery: PendingDelivery, cause: FailureCause, reason: string, now: number): Promise<string> {
  const id = backlogItemId(now, delivery.eventId);
  const summary = backlogSummaryOf(delivery, cause, reason, now);
  const held = summary.held;
  const body: PendingDelivery = { ...delivery, lastReason: reason };
  const result = await kvs.batchSet<unknown>([
    { key: bodyKey(id, held), value: body },
    { key: summaryKey(id), value: summary },
    tallyEntry(now, { added: 1 }),
  ]);
  if (result.failedKeys.some((failed) => failed.key === bodyKey(id, held))) throw new BacklogWriteError('an entry');
  return id;
}

/** The oldest entries the drain may send (held ones only when asked), at most `limit`, from `after` on. */
export async function oldestItems(
  limit: number,
  options: { held?: boolean; cursor?: string } = {},
): Promise<{ items: BacklogItem[]; cursor?: string }> {
  const held = options.held === true;
  const prefix = held ? StorageKeys.backlogHeldPrefix : StorageKeys.backlogBodyPrefix;
  const page = await pageWithPrefix<PendingDelivery>(prefix, limit, options.cursor);
  return {
    items: page.results.map(({ id, value }) => ({ id, held, delivery: value })),
    ...(page.nextCursor ? { cursor: page.nextCursor } : {}),
  };
}

/** Removes delivered or discarded items: bodies and summaries in batches, then this instance's tally. */
export async function removeFromBacklog(items: ReadonlyArray<Pick<BacklogItem, 'id' | 'held'>>, now: number): Promise<void> {
  const keys = items.flatMap((item) => [bodyKey(item.id, item.held), summaryKey(item.id)]);
  for (let start = 0; start < keys.length; start += BATCH_KEYS) {
    await kvs.batchDelete(keys.slice(start, start + BATCH_KEYS).map((key) => ({ key })));
  }
  if (items.length > 0) {
    const tally = tallyEntry(now, { removed: items.length });
    await kvs.set(tally.key, tally.value).catch(() => undefined);
  }
}

/** Moves an entry Coralogix refused as it is out of the drain's way, for the admin. */
export async function holdItem(item: BacklogItem, cause: FailureCause, reason: string, now: number): Promise<void> {
  const summary = await kvs.get<BacklogSummary>(summaryKey(item.id));
  await kvs.batchSet<unknown>([
    { key: bodyKey(item.id, true), value: { ...item.delivery, lastReason: reason } },
    {
      key: summaryKey(item.id),
      value: {
        ...(summary ?? backlogSummaryOf(item.delivery, cause, reason, now)),
        cause,
        reason,
        held: true,
        attempts: item.delivery.attempts,
        lastAttemptAt: item.delivery.lastAttemptAt,
      },
    },
  ]);
  await kvs.delete(bodyKey(item.id, false));
}

/** Puts a held entry back in the drain's way (Retry all). */
export async function releaseHeldItem(item: BacklogItem): Promise<void> {
  const summary = await kvs.get<BacklogSummary>(summaryKey(item.id));
  await kvs.batchSet<unknown>([
    { key: bodyKey(item.id, false), value: item.delivery },
    ...(summary ? [{ key: summaryKey(item.id), value: { ...summary, held: false } }] : []),
  ]);
  await kvs.delete(bodyKey(item.id, true));
}

/** Records one more failed attempt on an item that stays (a retry from the page that failed again). */
export async function recordAttempt(item: BacklogItem, reason: string): Promise<void> {
  const summary = await kvs.get<BacklogSummary>(summaryKey(item.id));
  await kvs.batchSet<unknown>([
    { key: bodyKey(item.id, item.held), value: { ...item.delivery, lastReason: reason } },
    ...(summary
      ? [
          {
            key: summaryKey(item.id),
            value: { ...summary, reason, attempts: item.delivery.attempts, lastAttemptAt: item.delivery.lastAttemptAt },
          },
        ]
      : []),
  ]);
}

export async function getBacklogItem(id: string): Promise<{ item: BacklogItem; summary: BacklogSummary } | undefined> {
  const summary = await kvs.get<BacklogSummary>(summaryKey(id));
  if (!summary) return undefined;
  const delivery = await kvs.get<PendingDelivery>(bodyKey(id, summary.held));
  if (!delivery) return undefined;
  return { item: { id, held: summary.held, delivery }, summary };
}

/** A page of summaries, oldest first. */
export async function listBacklog(
  limit: number,
  cursor?: string,
): Promise<{ items: Array<{ id: string; summary: BacklogSummary }>; nextCursor?: string }> {
  const page = await pageWithPrefix<BacklogSummary>(StorageKeys.backlogItemPrefix, limit, cursor);
  return {
    items: page.results.map(({ id, value }) => ({ id, summary: value })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** When the next drain run is due (platform/drain-schedule.ts keeps the marker), or null when none is scheduled. */
export async function scheduledDrainAt(): Promise<number | null> {
  const marker = await kvs.get<{ dueAt?: unknown }>(StorageKeys.drainScheduled);
  return typeof marker?.dueAt === 'number' ? marker.dueAt : null;
}

/** The oldest waiting event's summary: the backlog's "since when". */
export async function oldestSummary(): Promise<BacklogSummary | undefined> {
  return (await listBacklog(1)).items[0]?.summary;
}

async function tallies(): Promise<{ base: TallyBase; entries: Array<{ key: string; value: Tally }> }> {
  const base = (await kvs.get<TallyBase>(StorageKeys.backlogTallyBase)) ?? { offset: 0, folded: [] };
  const folded = new Set(base.folded);
  const entries: Array<{ key: string; value: Tally }> = [];
  for await (const entry of entriesWithPrefix<Tally>(StorageKeys.backlogTallyPrefix)) if (!folded.has(entry.key)) entries.push(entry);
  return { base, entries };
}

/** How many events wait, from the tallies: small reads, however long the backlog. */
export async function backlogCount(): Promise<number> {
  const { base, entries } = await tallies();
  const sum = entries.reduce((total, { value }) => total + value.added - value.removed, base.offset);
  return Math.max(0, sum);
}

/**
 * Called by the drain (under its lease) when it found nothing waiting or held: the count becomes 0,
 * and tallies older than two hours (no instance writes them any more) are folded into the base and
 * deleted. Adds that race with this are at worst left out of the count until the next time.
 */
export async function settleEmptyBacklog(now: number): Promise<void> {
  const { base, entries } = await tallies();
  const isOld = (key: string) => hourOfInstanceKey(StorageKeys.backlogTallyPrefix, key) < now - 2 * HOUR_MS;
  const old = entries.filter(({ key }) => isOld(key)).map(({ key }) => key);
  const remainingSum = entries.filter(({ key }) => !isOld(key)).reduce((total, { value }) => total + value.added - value.removed, 0);
  // Readers ignore folded tallies, so the count is right before, during and after their deletion.
  const folded = [...base.folded, ...old];
  if (folded.length === 0 && base.offset === -remainingSum) return;
  await kvs.set(StorageKeys.backlogTallyBase, { offset: -remainingSum, folded } satisfies TallyBase);
  for (let start = 0; start < folded.length; start += BATCH_KEYS) {
    await kvs.batchDelete(folded.slice(start, start + BATCH_KEYS).map((key) => ({ key })));
  }
  if (folded.length > 0) await kvs.set(StorageKeys.backlogTallyBase, { offset: -remainingSum, folded: [] } satisfies TallyBase);
}
