// The retry queue consumer's handler module (manifest.yml `retry-delivery`), bundled on its own by
// `forge deploy`: deliveries that failed before, events the trigger could not process, and drains.
import type { InvocationError } from '@forge/events';
import { consumeRetryEvent, type ConsumerResult, type QueueEvent } from './platform/consumer';

export async function retryDelivery(event: QueueEvent, _context: unknown): Promise<ConsumerResult | InvocationError> {
  return consumeRetryEvent(event);
}
