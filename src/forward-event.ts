// The trigger's handler module (manifest.yml `forward-event`). `forge deploy` bundles each handler
// module on its own, and this one is cold-started for every Bitbucket event: it imports only what
// the trigger runs, so the bundle Forge loads per event stays small.
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { objectOrEmpty } from './core/json';
import { handleBitbucketEvent, type TriggerResult } from './platform/trigger';

function retryCountOf(event: unknown): number | undefined {
  const { retryCount } = objectOrEmpty(objectOrEmpty(event).retryContext);
  return typeof retryCount === 'number' ? retryCount : undefined;
}

// The platform acts only on a returned InvocationError (a retry request) and ignores any other value.
export async function forwardEvent(event: unknown, _context: unknown): Promise<TriggerResult | InvocationError> {
  const result = await handleBitbucketEvent(event, { retryCount: retryCountOf(event) });
  if (result.status !== 'retry-requested') return result;
  return new InvocationError({ retryAfter: result.retryAfterSeconds, retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST });
}
