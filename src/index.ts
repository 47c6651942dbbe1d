// Only the handlers manifest.yml names.
import { handleBitbucketEvent } from './platform/trigger';

export async function forwardEvent(event: unknown, _context: unknown): Promise<void> {
  await handleBitbucketEvent(event);
}
