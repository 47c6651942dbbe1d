import { causeOf, isHeldCause } from '../core/backlog';
import type { DeliveryOutcome } from '../core/outcome';
import type { PendingDelivery } from '../core/pending';
import { retryDelaySeconds, type FailureCause } from '../core/retry-policy';
import type { DeliverySettings } from '../core/settings';
import { fitEntry, REDUCED_ENTRY_TEXT_BYTES } from '../core/size';
import { addToBacklog } from './backlog';
import { kickDrainAfterSuccess, noteBacklogged, requestDrain } from './drain-schedule';
import { countDelivery, countFailure, flushHealth } from './health';
import { errorName } from './log-safe';
import { scheduleRetries } from './retry-queue';
import { sendEntries } from './transport';

export type AttemptResult =
  | { readonly result: 'delivered' }
  /** Kept in the backlog: the drain sends it (or, when `held`, the admin decides). */
  /** `drainDueAt`: when the drain that sends it runs; null when it waits for the admin or a settings save. */
  | {
      readonly result: 'backlogged';
      readonly cause: FailureCause;
      readonly reason: string;
      readonly id: string;
      readonly held: boolean;
      readonly drainDueAt: number | null;
    }
  /** Storage could not take it: on the retry queue instead, attempted again after the delay. */
  | { readonly result: 'retry-scheduled'; readonly reason: string; readonly delaySeconds: number };

/**
 * One attempt to deliver one entry, and the bookkeeping that accounts for it whatever happens:
 * delivered, or kept in the backlog (and a drain asked for), or, when storage fails, put on the retry
 * queue. Throws only when neither storage nor the queue can take it, so the platform retries the
 * invocation.
 */
export async function attemptDelivery(
  pending: PendingDelivery,
  settings: DeliverySettings,
  now: number = Date.now(),
): Promise<AttemptResult> {
  const attempted: PendingDelivery = { ...pending, attempts: pending.attempts + 1, lastAttemptAt: now };
  let outcome = await sendEntries(settings, [attempted.entry]);
  if (outcome.kind === 'rejected' && outcome.cause === 'too-large') {
    // Coralogix's per-entry limit is undocumented: trim harder and try once more rather than give up.
    const smaller = fitEntry(attempted.entry, REDUCED_ENTRY_TEXT_BYTES);
    if (smaller !== attempted.entry) {
      attempted.entry = smaller;
      outcome = await sendEntries(settings, [smaller]);
    }
  }
  if (outcome.kind === 'delivered') {
    countDelivery('delivered', now);
    await flushHealth(now);
    await kickDrainAfterSuccess(now);
    return { result: 'delivered' };
  }
  return accountForFailure(attempted, outcome, now);
}

/** Keeps an entry that was not delivered: in the backlog, or on the queue when storage fails. */
export async function accountForFailure(
  attempted: PendingDelivery,
  outcome: Exclude<DeliveryOutcome, { kind: 'delivered' }>,
  now: number,
): Promise<AttemptResult> {
  countFailure(outcome.reason, now);
  try {
    return await keep(attempted, causeOf(outcome), outcome.reason, now, outcome.kind === 'retryable' ? outcome.retryAfterMs : undefined);
  } finally {
    await flushHealth(now);
  }
}

/** Accounts for an entry that cannot even be attempted (e.g. the app is no longer configured). */
export async function keepUnattempted(
  pending: PendingDelivery,
  cause: FailureCause,
  reason: string,
  now: number = Date.now(),
): Promise<AttemptResult> {
  try {
    return await keep(pending, cause, reason, now, undefined);
  } finally {
    await flushHealth(now);
  }
}

async function keep(
  delivery: PendingDelivery,
  cause: FailureCause,
  reason: string,
  now: number,
  retryAfterMs: number | undefined,
): Promise<AttemptResult> {
  let id: string;
  try {
    id = await addToBacklog(delivery, cause, reason, now);
  } catch (error) {
    const delaySeconds = retryDelaySeconds(delivery.attempts, retryAfterMs);
    // The queue throws in turn when it cannot take it either: the caller asks the platform to retry.
    await scheduleRetries([{ delivery: { ...delivery, lastReason: reason }, delaySeconds }]);
    console.warn(`The backlog could not store an entry (${errorName(error)}); kept on the retry queue instead`);
    countDelivery('retriesScheduled', now);
    return { result: 'retry-scheduled', reason, delaySeconds };
  }
  countDelivery('backlogged', now);
  noteBacklogged(now);
  const held = isHeldCause(cause);
  let drainDueAt: number | null = null;
  if (!held) {
    // A drain already scheduled covers this entry too; a key refused waits for its probe or a settings save.
    drainDueAt = await requestDrain(now, { delaySeconds: retryDelaySeconds(1, retryAfterMs) }).catch((error: unknown) => {
      console.warn(`Could not schedule the backlog's drain (${errorName(error)}); the hourly heartbeat will`);
      return null;
    });
  }
  return { result: 'backlogged', cause, reason, id, held, drainDueAt };
}
