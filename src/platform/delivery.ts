import type { DeliveryOutcome } from '../core/outcome';
import type { PendingDelivery } from '../core/pending';
import { decideAfterFailure, type FailureCause } from '../core/retry-policy';
import type { DeliverySettings } from '../core/settings';
import { fitEntry, REDUCED_ENTRY_TEXT_BYTES } from '../core/size';
import { addDeadLetter } from './dead-letters';
import { countDelivery, countFailure, flushHealth } from './health';
import { scheduleRetries } from './retry-queue';
import { sendEntries } from './transport';
import { errorName } from './log-safe';

export type AttemptResult =
  | { readonly result: 'delivered' }
  | { readonly result: 'retry-scheduled'; readonly reason: string; readonly delaySeconds: number }
  | { readonly result: 'dead-lettered'; readonly cause: FailureCause; readonly reason: string; readonly key: string };

/**
 * One attempt to deliver one entry, and the bookkeeping that accounts for it whatever happens:
 * delivered, put on the retry queue, or kept as a dead letter. Throws only when neither the queue
 * nor storage can take it, so the platform retries the invocation.
 */
export async function attemptDelivery(pending: PendingDelivery, settings: DeliverySettings, now: number = Date.now()): Promise<AttemptResult> {
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
    return { result: 'delivered' };
  }
  return accountForFailure(attempted, outcome, settings.revision, now);
}

async function accountForFailure(
  attempted: PendingDelivery,
  outcome: Exclude<DeliveryOutcome, { kind: 'delivered' }>,
  settingsRevision: number,
  now: number,
): Promise<AttemptResult> {
  countFailure(outcome.reason, now);
  const decision = decideAfterFailure(outcome, attempted.attempts, attempted.firstAttemptAt, now);
  const failed: PendingDelivery = { ...attempted, lastReason: decision.reason };
  try {
    if (decision.action === 'retry') {
      try {
        await scheduleRetries([{ delivery: failed, delaySeconds: decision.delaySeconds }]);
        countDelivery('retriesScheduled', now);
        return { result: 'retry-scheduled', reason: decision.reason, delaySeconds: decision.delaySeconds };
      } catch (error) {
        const why = `The retry queue refused the event (${errorName(error)}); last error: ${decision.reason}`;
        const key = await addDeadLetter(failed, 'retry-unavailable', why, settingsRevision, now);
        return { result: 'dead-lettered', cause: 'retry-unavailable', reason: why, key };
      }
    }
    const key = await addDeadLetter(failed, decision.cause, decision.reason, settingsRevision, now);
    return { result: 'dead-lettered', cause: decision.cause, reason: decision.reason, key };
  } finally {
    await flushHealth(now, { urgent: true });
  }
}

/** Accounts for an entry that cannot even be attempted (e.g. the app is no longer configured). */
export async function deadLetterUnattempted(pending: PendingDelivery, cause: FailureCause, reason: string, settingsRevision: number | null, now: number = Date.now()): Promise<string> {
  const key = await addDeadLetter({ ...pending, lastReason: reason }, cause, reason, settingsRevision, now);
  await flushHealth(now, { urgent: true });
  return key;
}
