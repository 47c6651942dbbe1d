// Only the handlers manifest.yml names, grouped by kind.
import { consumeRetryEvent, type QueueEvent } from './platform/consumer';
import { runHeartbeat } from './platform/heartbeat';
import { handleBitbucketEvent } from './platform/trigger';

// Resolver of the workspace settings page (Custom UI, static/settings).
export { settingsResolver } from './platform/resolvers';

// Trigger: every Bitbucket event.
export async function forwardEvent(event: unknown, _context: unknown): Promise<void> {
  await handleBitbucketEvent(event);
}

// Queue consumer: deliveries that failed before.
export async function retryDelivery(event: QueueEvent, _context: unknown): Promise<unknown> {
  return consumeRetryEvent(event);
}

// Scheduled trigger: hourly heartbeat and health.
export async function heartbeat(_event: unknown, _context: unknown): Promise<void> {
  await runHeartbeat();
}
