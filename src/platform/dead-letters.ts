import { kvs, WhereConditions } from '@forge/kvs';
import type { DeadLetter, PendingDelivery } from '../core/pending';
import type { FailureCause } from '../core/retry-policy';
import { countDelivery } from './health';
import type { DeadLetterRow } from '../shared/contract';
import { entriesWithPrefix } from './kvs-paging';
import { StorageKeys } from './storage-keys';

// What could not be delivered is kept for the admin to see and replay. Bounded so a long outage
// cannot fill the installation's storage: at most MAX_DEAD_LETTERS, each kept 30 days; what is
// evicted beyond that is counted on the status panel, never dropped unseen.
export const MAX_DEAD_LETTERS = 1000;
const DEAD_LETTER_TTL_DAYS = 30;
// Pruning pages through every dead letter; doing it on a tenth of the inserts keeps a storm of
// failures (a revoked key refuses every event) within Forge's KVS rate limits.
const PRUNE_PROBABILITY = 0.1;
const INVERTED_TIME_BASE = 10 ** 13;

/** What the settings page lists of a dead letter: everything but the entry itself. */
export type DeadLetterSummary = DeadLetterRow;

function keyFor(now: number, eventId: string): string {
  return `${StorageKeys.deadLetterPrefix}${String(INVERTED_TIME_BASE - now).padStart(13, '0')}:${eventId}`;
}

function summarise(key: string, letter: DeadLetter): DeadLetterSummary {
  const { eventId, eventType, cause, reason, attempts, firstAttemptAt, lastAttemptAt, deadLetteredAt } = letter;
  return { key, eventId, eventType, cause, reason, attempts, firstAttemptAt, lastAttemptAt, deadLetteredAt };
}

export async function addDeadLetter(
  delivery: PendingDelivery,
  cause: FailureCause,
  reason: string,
  settingsRevision: number | null,
  now: number,
  random: () => number = Math.random,
): Promise<string> {
  const key = keyFor(now, delivery.eventId);
  const letter: DeadLetter = { ...delivery, cause, reason, deadLetteredAt: now, settingsRevision };
  await kvs.set(key, letter, { ttl: { value: DEAD_LETTER_TTL_DAYS, unit: 'DAYS' } });
  countDelivery('deadLettered', now);
  if (random() < PRUNE_PROBABILITY) await pruneDeadLetters(now);
  return key;
}

const allDeadLetterKeys = () => entriesWithPrefix<DeadLetter>(StorageKeys.deadLetterPrefix);

export async function pruneDeadLetters(now: number = Date.now()): Promise<number> {
  let seen = 0;
  const evict: string[] = [];
  for await (const { key } of allDeadLetterKeys()) {
    seen += 1;
    if (seen > MAX_DEAD_LETTERS) evict.push(key);
  }
  for (let i = 0; i < evict.length; i += 25) {
    const chunk = evict.slice(i, i + 25);
    // Marker first: a failure in between leaves a letter counted as evicted and still listed, never
    // one gone uncounted.
    await kvs.batchSet(chunk.map((key) => ({ key: evictionMarkerKey(key), value: { at: now }, options: { ttl: { value: EVICTION_MARKER_TTL_HOURS, unit: 'HOURS' as const } } })));
    await kvs.batchDelete(chunk.map((key) => ({ key })));
  }
  return evict.length;
}

const EVICTION_MARKER_TTL_HOURS = 25;

function evictionMarkerKey(deadLetterKey: string): string {
  return `${StorageKeys.evictionMarkerPrefix}${deadLetterKey.slice(StorageKeys.deadLetterPrefix.length)}`;
}

/** Dead letters evicted for room in the last 24 hours, each counted once whoever evicted it. */
export async function countRecentEvictions(now: number = Date.now()): Promise<number> {
  let count = 0;
  for await (const marker of entriesWithPrefix<{ at: number }>(StorageKeys.evictionMarkerPrefix)) if (marker.value.at > now - 24 * 3_600_000) count += 1;
  return count;
}

export async function listDeadLetters(limit: number, cursor?: string): Promise<{ items: DeadLetterSummary[]; nextCursor?: string }> {
  let query = kvs.query().where('key', WhereConditions.beginsWith(StorageKeys.deadLetterPrefix)).limit(limit);
  if (cursor) query = query.cursor(cursor);
  const page = await query.getMany<DeadLetter>();
  return { items: page.results.map((item) => summarise(item.key, item.value)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

export async function allDeadLetters(): Promise<Array<{ key: string; value: DeadLetter }>> {
  const all: Array<{ key: string; value: DeadLetter }> = [];
  for await (const item of allDeadLetterKeys()) all.push(item);
  return all;
}

export async function countDeadLetters(): Promise<number> {
  let count = 0;
  for await (const _letter of allDeadLetterKeys()) count += 1;
  return count;
}

export async function getDeadLetter(key: string): Promise<DeadLetter | undefined> {
  return kvs.get<DeadLetter>(key);
}

export async function removeDeadLetter(key: string): Promise<void> {
  await kvs.delete(key);
}
