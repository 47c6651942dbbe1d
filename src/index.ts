// Only the handlers manifest.yml names, grouped by kind. Each returns what happened; the platform
// acts only on a returned InvocationError (a retry request) and ignores any other value.
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { objectOrEmpty } from './core/json';
import { consumeRetryEvent, type ConsumerResult, type QueueEvent } from './platform/consumer';
import { runHeartbeat, type HeartbeatResult } from './platform/heartbeat';
import { handleBitbucketEvent, type TriggerResult } from './platform/trigger';

// Resolver of the workspace settings page (Custom UI, static/settings).
export { settingsResolver } from './platform/resolvers';

function retryCountOf(event: unknown): number | undefined {
  const { retryCount } = objectOrEmpty(objectOrEmpty(event).retryContext);
  return typeof retryCount === 'number' ? retryCount : undefined;
}

// Trigger: every Bitbucket event.
export async function forwardEvent(event: unknown, _context: unknown): Promise<TriggerResult | InvocationError> {
  const result = await handleBitbucketEvent(event, { retryCount: retryCountOf(event) });
  if (result.status !== 'retry-requested') return result;
  return new InvocationError({ retryAfter: result.retryAfterSeconds, retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST });
}

// Queue consumer: deliveries that failed before, and events the trigger could not process.
export async function retryDelivery(event: QueueEvent, _context: unknown): Promise<ConsumerResult | InvocationError> {
  return consumeRetryEvent(event);
}

// Scheduled trigger: hourly heartbeat and health.
export async function heartbeat(_event: unknown, _context: unknown): Promise<HeartbeatResult> {
  return runHeartbeat();
}
