import type { DeadLetter, PendingDelivery } from '../core/pending';
import type { DeliverySettings } from '../core/settings';
import { allDeadLetters, getDeadLetter, removeDeadLetter } from './dead-letters';
import { attemptDelivery, type AttemptResult } from './delivery';
import { countDelivery, flushHealth } from './health';
import { scheduleRetries } from './retry-queue';

/** A dead letter back on its way: attempts kept for the record, the 24 h retry window restarted. */
function revive(letter: DeadLetter, now: number, options: { autoReplayed?: boolean } = {}): PendingDelivery {
  const { eventId, eventType, entry, attempts, lastAttemptAt, lastReason } = letter;
  return {
    eventId,
    eventType,
    entry,
    attempts,
    firstAttemptAt: now,
    lastAttemptAt,
    ...(lastReason === undefined ? {} : { lastReason }),
    ...(options.autoReplayed || letter.autoReplayed ? { autoReplayed: true } : {}),
  };
}

export type ReplayOneResult = { status: 'not-found' } | { status: 'attempted'; attempt: AttemptResult };

/**
 * Retry one, now: the admin sees the outcome at once. The old dead letter is removed only after the
 * attempt has been accounted for (delivered, queued again, or stored again as a new dead letter).
 */
export async function replayDeadLetter(key: string, settings: DeliverySettings, now: number = Date.now()): Promise<ReplayOneResult> {
  const letter = await getDeadLetter(key);
  if (!letter) return { status: 'not-found' };
  const attempt = await attemptDelivery(revive(letter, now), settings, now);
  await removeDeadLetter(key);
  countDelivery('replayed', now);
  await flushHealth(now, { urgent: true });
  return { status: 'attempted', attempt };
}

/** Retry all: back onto the retry queue, which delivers them in the background. */
export async function replayAllDeadLetters(now: number = Date.now(), filter: (letter: DeadLetter) => boolean = () => true, options: { autoReplayed?: boolean } = {}): Promise<number> {
  const letters = (await allDeadLetters()).filter((item) => filter(item.value));
  // Queue first, then delete: a failure in between leaves a duplicate, never a loss.
  await scheduleRetries(letters.map((item) => ({ delivery: revive(item.value, now, options), delaySeconds: 0 })));
  for (const item of letters) await removeDeadLetter(item.key);
  if (letters.length > 0) {
    countDelivery('replayed', now, letters.length);
    await flushHealth(now, { urgent: true });
  }
  return letters.length;
}

export async function discardDeadLetter(key: string, now: number = Date.now()): Promise<boolean> {
  const letter = await getDeadLetter(key);
  if (!letter) return false;
  await removeDeadLetter(key);
  countDelivery('discarded', now);
  await flushHealth(now, { urgent: true });
  return true;
}
