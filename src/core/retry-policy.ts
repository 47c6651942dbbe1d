import type { DeliveryOutcome, RejectionCause } from './outcome';

// How long and how often the app keeps trying. Forge queue events can be delayed by at most
// 900 s per push, and async events are delivered within a 24 h window, so retries back off
// exponentially from 30 s up to that 900 s ceiling and give up after 24 h.
export const FIRST_RETRY_DELAY_S = 30;
export const MAX_RETRY_DELAY_S = 900;
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

export type FailureCause = RejectionCause | 'retries-exhausted' | 'not-configured' | 'forwarding-disabled' | 'retry-unavailable';

export type FailureDecision =
  | { readonly action: 'retry'; readonly delaySeconds: number; readonly reason: string }
  | { readonly action: 'dead-letter'; readonly cause: FailureCause; readonly reason: string };

/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of 30·2ⁿ⁻¹ s (capped at
 * 900 s), so a fleet of failed events does not return to Coralogix in one wave. A Retry-After from
 * Coralogix is a floor.
 */
export function retryDelaySeconds(retryNumber: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_S, FIRST_RETRY_DELAY_S * 2 ** Math.max(0, retryNumber - 1));
  const jittered = ceiling / 2 + (random() * ceiling) / 2;
  const floor = retryAfterMs === undefined ? 0 : retryAfterMs / 1000;
  return Math.min(MAX_RETRY_DELAY_S, Math.max(1, Math.ceil(Math.max(jittered, floor))));
}

/** What to do with an entry after an attempt that did not deliver it. */
export function decideAfterFailure(
  outcome: Exclude<DeliveryOutcome, { kind: 'delivered' }>,
  attempts: number,
  firstAttemptAt: number,
  now: number,
  random: () => number = Math.random,
): FailureDecision {
  if (outcome.kind === 'rejected') return { action: 'dead-letter', cause: outcome.cause, reason: outcome.reason };
  const delaySeconds = retryDelaySeconds(attempts, outcome.retryAfterMs, random);
  if (now + delaySeconds * 1000 - firstAttemptAt > RETRY_WINDOW_MS) {
    return { action: 'dead-letter', cause: 'retries-exhausted', reason: `Gave up after ${attempts} attempts over 24 hours; last error: ${outcome.reason}` };
  }
  return { action: 'retry', delaySeconds, reason: outcome.reason };
}

// Forge's own redelivery of an invocation that returns an InvocationError: at most 4 retries, each
// after the retryAfter the app asks for (at most 900 s), for product-event triggers (Forge events
// reference, "Atlassian app events") and for queue consumers (async events API, "Retry events"; the
// queue keeps an event 24 h). The app asks for longer pauses as retries go on, so a storage outage of
// about 36 minutes is bridged by the platform alone (20 minutes for a trigger if Forge does not pass
// it the retry count); see the consumer for what happens after that.
export const PLATFORM_MAX_RETRIES = 4;
const PLATFORM_RETRY_AFTER_S: readonly number[] = [60, 300, 900, 900];
/** When the platform does not say how many retries came before (the docs do not promise it for triggers). */
const PLATFORM_RETRY_AFTER_UNKNOWN_S = 300;

export function platformRetryAfterSeconds(retryCount: number | undefined): number {
  if (retryCount === undefined || !Number.isInteger(retryCount) || retryCount < 0) return PLATFORM_RETRY_AFTER_UNKNOWN_S;
  return PLATFORM_RETRY_AFTER_S[Math.min(retryCount, PLATFORM_RETRY_AFTER_S.length - 1)] ?? MAX_RETRY_DELAY_S;
}

/** True on the platform's last redelivery: an InvocationError returned now would lose the event. */
export function isLastPlatformAttempt(retryCount: number | undefined): boolean {
  return (retryCount ?? 0) >= PLATFORM_MAX_RETRIES;
}
