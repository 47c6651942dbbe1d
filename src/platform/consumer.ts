import { InvocationError, InvocationErrorCode } from '@forge/events';
import { decodeRetryMessage } from '../core/pending';
import { isLastPlatformAttempt, MAX_RETRY_DELAY_S, platformRetryAfterSeconds } from '../core/retry-policy';
import { attemptDelivery, keepUnattempted, type AttemptResult } from './delivery';
import { runDrain, type DrainResult } from './drain';
import { requeueMessage } from './retry-queue';
import { runTagsRetry, type TagsRunResult } from './tags';
import { cachedDeliverySettings } from './settings-cache';
import { handleBitbucketEvent, type TriggerResult } from './trigger';
import { errorName } from './log-safe';

export interface QueueEvent {
  body?: unknown;
  retryContext?: { retryCount?: number; retryReason?: string };
}

export type ConsumerResult =
  | AttemptResult
  /** A drain of the backlog ran. */
  | { readonly result: 'drain'; readonly drain: DrainResult }
  /** The waiting version tags were retried. */
  | { readonly result: 'tags'; readonly tags: TagsRunResult }
  /** A deferred Bitbucket event, now processed as the trigger would have. */
  | { readonly result: 'processed'; readonly trigger: Exclude<TriggerResult, { status: 'retry-requested' }> }
  /** The app's bookkeeping failed on the platform's last retry: put back on the queue as a fresh message. */
  | { readonly result: 'handed-on'; readonly reason: string }
  | { readonly result: 'unreadable' };

type HandledOrRetry = Exclude<ConsumerResult, { result: 'handed-on' }> | { readonly result: 'retry-requested'; readonly reason: string };

/** A drain of the backlog, one more attempt for an entry storage could not keep, or the first processing of a deferred event. */
export async function handleRetryEvent(event: QueueEvent): Promise<HandledOrRetry> {
  const parsed = decodeRetryMessage(event.body);
  if (!parsed.ok) {
    // Only this app writes the queue, so this means a bug or a format change between versions.
    console.error('A retry queue event could not be read and was not retried');
    return { result: 'unreadable' };
  }
  const message = parsed.value;
  const now = Date.now();
  if ('kind' in message) {
    if (message.kind === 'drain') return { result: 'drain', drain: await runDrain(now, { includeHeld: message.includeHeld === true }) };
    if (message.kind === 'tags') return { result: 'tags', tags: await runTagsRetry(now) };
    const trigger = await handleBitbucketEvent(message.payload, { receivedAt: message.receivedAt, canDefer: false });
    return trigger.status === 'retry-requested' ? { result: 'retry-requested', reason: trigger.reason } : { result: 'processed', trigger };
  }
  const settings = await cachedDeliverySettings(now);
  if (!settings)
    return keepUnattempted(message, 'not-configured', 'The Coralogix settings were removed before the event could be sent', now);
  if (!settings.forwardingEnabled)
    return keepUnattempted(message, 'forwarding-disabled', 'Forwarding was switched off before the event could be sent', now);
  return attemptDelivery(message, settings, now);
}

/**
 * The queue consumer. When the app's own bookkeeping fails (storage or queue unavailable), the
 * platform is asked to redeliver, with longer pauses as its retries go on; on its last retry, when an
 * InvocationError would make it drop the event, the event is pushed again as a fresh message instead.
 * Only when that push fails too is the event left to the platform (and lost).
 */
export async function consumeRetryEvent(event: QueueEvent): Promise<ConsumerResult | InvocationError> {
  const retryCount = event.retryContext?.retryCount;
  let handled: HandledOrRetry;
  try {
    handled = await handleRetryEvent(event);
  } catch (error) {
    handled = { result: 'retry-requested', reason: `Retry bookkeeping failed (${errorName(error)})` };
  }
  if (handled.result !== 'retry-requested') return handled;
  if (isLastPlatformAttempt(retryCount) && typeof event.body === 'object' && event.body !== null) {
    try {
      await requeueMessage(event.body as Record<string, unknown>, MAX_RETRY_DELAY_S);
      console.warn(`${handled.reason} on the platform's last retry; pushed again as a fresh queue event`);
      return { result: 'handed-on', reason: handled.reason };
    } catch (error) {
      console.error(`${handled.reason}, and the queue refused it again (${errorName(error)}): the platform may drop this event`);
    }
  } else {
    console.error(`${handled.reason}; asking the platform to redeliver`);
  }
  return new InvocationError({
    retryAfter: platformRetryAfterSeconds(retryCount ?? 0),
    retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST,
  });
}
