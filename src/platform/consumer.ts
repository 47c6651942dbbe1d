import { InvocationError, InvocationErrorCode } from '@forge/events';
import { pendingDeliverySchema } from '../core/pending';
import { attemptDelivery, deadLetterUnattempted, type AttemptResult } from './delivery';
import { cachedDeliverySettings } from './settings-cache';

export interface QueueEvent {
  body?: unknown;
  retryContext?: { retryCount?: number; retryReason?: string };
}

// When the app's own bookkeeping fails (storage or queue unavailable), let the platform redeliver
// the queue event after a pause rather than lose it.
const BOOKKEEPING_RETRY_AFTER_S = 60;

export type ConsumerResult = AttemptResult | { result: 'unreadable' };

/** Consumer of the retry queue: one more attempt for an entry that failed before. */
export async function handleRetryEvent(event: QueueEvent): Promise<ConsumerResult> {
  const parsed = pendingDeliverySchema.safeParse(event.body);
  if (!parsed.success) {
    // Only this app writes the queue, so this means a bug or a format change between versions.
    console.error('A retry queue event could not be read and was not retried');
    return { result: 'unreadable' };
  }
  const pending = parsed.data;
  const now = Date.now();
  const settings = await cachedDeliverySettings(now);
  if (!settings) {
    const key = await deadLetterUnattempted(pending, 'not-configured', 'The Coralogix settings were removed before the event could be retried', null, now);
    return { result: 'dead-lettered', cause: 'not-configured', reason: 'not configured', key };
  }
  if (!settings.forwardingEnabled) {
    const reason = 'Forwarding was switched off before the event could be retried';
    const key = await deadLetterUnattempted(pending, 'forwarding-disabled', reason, settings.revision, now);
    return { result: 'dead-lettered', cause: 'forwarding-disabled', reason, key };
  }
  return attemptDelivery(pending, settings, now);
}

export async function consumeRetryEvent(event: QueueEvent): Promise<InvocationError | void> {
  try {
    await handleRetryEvent(event);
  } catch (error) {
    console.error(`Retry bookkeeping failed (${error instanceof Error ? error.name : 'unknown error'}); asking the platform to redeliver`);
    return new InvocationError({ retryAfter: BOOKKEEPING_RETRY_AFTER_S, retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST });
  }
}
