import { isForwarded, transformEvent } from '../core/entry';
import { cachedDeliverySettings } from './settings-cache';
import { sendEntries } from './transport';

export class DeliveryFailedError extends Error {
  constructor(
    readonly eventId: string,
    readonly reason: string,
  ) {
    super(`Event ${eventId} was not delivered to Coralogix: ${reason}`);
    this.name = 'DeliveryFailedError';
  }
}

export type TriggerResult =
  | { status: 'delivered'; eventId: string }
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

  const transformed = transformEvent(payload, settings, receivedAt);
  if (!isForwarded(transformed.eventType, settings.forwardedEvents)) return { status: 'skipped', reason: 'event-not-selected' };
  if (transformed.kind === 'unrecognised') {
    console.warn(`Forwarding unrecognised event ${transformed.eventId} (${transformed.eventType}) as raw: ${transformed.problems.join('; ')}`);
  }

  const outcome = await sendEntries(settings, [transformed.entry]);
  if (outcome.kind !== 'delivered') {
    console.error(`Delivery of event ${transformed.eventId} (${transformed.eventType}) failed: ${outcome.reason}`);
    // Throwing reports the invocation as failed to Forge, which retries product triggers.
    throw new DeliveryFailedError(transformed.eventId, outcome.reason);
  }
  return { status: 'delivered', eventId: transformed.eventId };
}
