import { Queue } from '@forge/events';
import type { PendingDelivery } from '../core/pending';

// Forge limits one push to 50 events and 200 KB; entries are capped at 100 KB (core/size.ts), so a
// push is split by both count and size.
export const RETRY_QUEUE_KEY = 'delivery-retry';
const MAX_EVENTS_PER_PUSH = 50;
const MAX_PUSH_BYTES = 190_000;

const queue = new Queue({ key: RETRY_QUEUE_KEY });

export interface ScheduledRetry {
  delivery: PendingDelivery;
  delaySeconds: number;
}

export async function scheduleRetries(retries: readonly ScheduledRetry[]): Promise<void> {
  let batch: Array<{ body: Record<string, unknown>; delayInSeconds: number }> = [];
  let batchBytes = 0;
  for (const retry of retries) {
    const event = { body: { ...retry.delivery }, delayInSeconds: retry.delaySeconds };
    const bytes = Buffer.byteLength(JSON.stringify(event));
    if (batch.length > 0 && (batch.length === MAX_EVENTS_PER_PUSH || batchBytes + bytes > MAX_PUSH_BYTES)) {
      await queue.push(batch);
      batch = [];
      batchBytes = 0;
    }
    batch.push(event);
    batchBytes += bytes;
  }
  if (batch.length > 0) await queue.push(batch);
}
