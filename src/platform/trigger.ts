import { enrichmentRequestOf } from '../core/enrichment';
import { isForwarded, transformEvent } from '../core/entry';
import { decodeEvent } from '../core/events';
import { attemptDelivery, type AttemptResult } from './delivery';
import { enrichEvent } from './enrichment';
import { cachedDeliverySettings } from './settings-cache';

export type TriggerResult =
  | { status: 'handled'; eventId: string; attempt: AttemptResult }
  | { status: 'skipped'; reason: 'not-configured' | 'forwarding-disabled' | 'event-not-selected' };

/**
 * Forge trigger for every Bitbucket event. Logs carry event ids and types only: Forge logs are
 * visible to the app vendor, so no key, name or payload content goes there.
 */
export async function handleBitbucketEvent(payload: unknown): Promise<TriggerResult> {
  const receivedAt = Date.now();
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
    console.warn(`Forwarding unrecognised event ${transformed.eventId} (${transformed.eventType}) as raw: ${transformed.problems.join('; ')}`);
  }

  const attempt = await attemptDelivery(
    { eventId: transformed.eventId, eventType: transformed.eventType, entry: transformed.entry, attempts: 0, firstAttemptAt: receivedAt, lastAttemptAt: receivedAt },
    settings,
    receivedAt,
  );
  if (attempt.result !== 'delivered') {
    console.warn(`Event ${transformed.eventId} (${transformed.eventType}) not delivered yet: ${attempt.result}: ${attempt.reason}`);
  }
  return { status: 'handled', eventId: transformed.eventId, attempt };
}
