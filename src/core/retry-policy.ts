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
