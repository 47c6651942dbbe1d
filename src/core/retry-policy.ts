import type { RejectionCause } from './outcome';

// How often the app tries again. A Forge queue event can be delayed by at most 900 s per push, so
// the drain of the backlog (core/backlog.ts) backs off exponentially from 30 s up to that ceiling.
export const FIRST_RETRY_DELAY_S = 30;
export const MAX_RETRY_DELAY_S = 900;

/** Why an entry waits in the backlog: Coralogix refused it (RejectionCause), could not take it now, or the app was not set to send. */
export type FailureCause = RejectionCause | 'unavailable' | 'not-configured' | 'forwarding-disabled';

/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of 30·2ⁿ⁻¹ s (capped at
 * 900 s), so many installations do not return to Coralogix in one wave. A Retry-After from
 * Coralogix is a floor.
 */
export function retryDelaySeconds(retryNumber: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_S, FIRST_RETRY_DELAY_S * 2 ** Math.max(0, retryNumber - 1));
  const jittered = ceiling / 2 + (random() * ceiling) / 2;
  const floor = retryAfterMs === undefined ? 0 : retryAfterMs / 1000;
  return Math.min(MAX_RETRY_DELAY_S, Math.max(1, Math.ceil(Math.max(jittered, floor))));
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
