import { enrichmentRequestOf } from '../core/enrichment';
import { transformEvent } from '../core/entry';
import { isForwarded } from '../core/forwarding';
import { decodeEvent } from '../core/events';
import { boundDepth } from '../core/json';
import { platformRetryAfterSeconds } from '../core/retry-policy';
import { attemptDelivery, type AttemptResult } from './delivery';
import { enrichEvent } from './enrichment';
import { deferEvent } from './retry-queue';
import { cachedDeliverySettings } from './settings-cache';
import { errorName } from './log-safe';

export type TriggerResult =
  | { readonly status: 'handled'; readonly eventId: string; readonly attempt: AttemptResult }
  | { readonly status: 'skipped'; readonly reason: 'not-configured' | 'forwarding-disabled' | 'event-not-selected' }
  /** Could not be processed now (storage failed); kept on the retry queue as received. */
  | { readonly status: 'deferred'; readonly reason: string; readonly delaySeconds: number }
  /** Could not be accounted for at all: the platform must invoke again (the handler returns an InvocationError). */
  | { readonly status: 'retry-requested'; readonly retryAfterSeconds: number; readonly reason: string };

export interface TriggerOptions {
  /** When Forge first delivered it (a deferred event keeps its original time). */
  receivedAt?: number;
  /** The platform's retry count, when it says (event.retryContext). */
  retryCount?: number;
  /** False when the event already comes from the retry queue: it is not queued a second time. */
  canDefer?: boolean;
}

/** Deferred events wait this long: storage that just failed is given a moment to recover. */
const DEFER_DELAY_S = 30;

/**
 * Forge trigger for every Bitbucket event. Whatever fails, the event ends up delivered, on the retry
 * queue, stored as a dead letter, or, when none of those could be done, handed back to the platform
 * with a retry request: the Forge docs promise a retry for a returned InvocationError and nothing for
 * a thrown error, so nothing is thrown. Logs carry event ids and types only: Forge logs are visible
 * to the app vendor, so no key, name or payload content goes there.
 */
export async function handleBitbucketEvent(payload: unknown, options: TriggerOptions = {}): Promise<TriggerResult> {
  const receivedAt = options.receivedAt ?? Date.now();
  try {
    return await forward(payload, receivedAt);
  } catch (error) {
    const reason = `The app could not process the event yet (${errorName(error)})`;
    if (options.canDefer !== false) {
      try {
        // Depth-capped as the transform would cap it: a 10,000-level payload must serialise onto the queue.
        await deferEvent(boundDepth(payload).value, receivedAt, DEFER_DELAY_S);
        console.warn(`${reason}; kept on the retry queue`);
        return { status: 'deferred', reason, delaySeconds: DEFER_DELAY_S };
      } catch (deferError) {
        console.error(`The retry queue refused the event too (${errorName(deferError)}); asking the platform to retry`);
      }
    }
    return { status: 'retry-requested', retryAfterSeconds: platformRetryAfterSeconds(options.retryCount), reason };
  }
}

async function forward(payload: unknown, receivedAt: number): Promise<TriggerResult> {
  const settings = await cachedDeliverySettings(receivedAt);
  if (!settings) {
    console.log('Coralogix forwarding is not configured yet; event skipped');
    return { status: 'skipped', reason: 'not-configured' };
  }
  if (!settings.forwardingEnabled) return { status: 'skipped', reason: 'forwarding-disabled' };

  const decoded = decodeEvent(payload);
  const eventType = decoded.ok ? decoded.event.eventType : (decoded.eventType ?? 'unknown');
  // Decided before enrichment, so events the admin does not want cost no Bitbucket lookup.
  if (!isForwarded(eventType, settings)) return { status: 'skipped', reason: 'event-not-selected' };

  const enrichment = decoded.ok ? await enrichEvent(enrichmentRequestOf(decoded.event), receivedAt) : undefined;
  const transformed = transformEvent(payload, {
    destination: settings,
    receivedAtMs: receivedAt,
    omitFreeText: settings.omitFreeText,
    decoded,
    ...(enrichment ? { enrichment } : {}),
  });
  if (transformed.kind === 'unrecognised') {
    console.warn(
      `Forwarding unrecognised event ${transformed.eventId} (${transformed.eventType}) as raw: ${transformed.problems.join('; ')}`,
    );
  }

  const attempt = await attemptDelivery(
    {
      eventId: transformed.eventId,
      eventType: transformed.eventType,
      entry: transformed.entry,
      attempts: 0,
      firstAttemptAt: receivedAt,
      lastAttemptAt: receivedAt,
    },
    settings,
    receivedAt,
  );
  if (attempt.result !== 'delivered') {
    console.warn(`Event ${transformed.eventId} (${transformed.eventType}) not delivered yet: ${attempt.result}: ${attempt.reason}`);
  }
  return { status: 'handled', eventId: transformed.eventId, attempt };
}
