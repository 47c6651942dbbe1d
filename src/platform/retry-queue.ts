import { Queue } from '@forge/events';
import type { DeferredEvent, DrainMessage, PendingDelivery, TagsMessage } from '../core/pending';

// Forge limits one push to 50 events and 200 KB; entries are capped at 100 KB (core/size.ts), so a
// push is split by both count and size. A deferred raw event has no cap: one over 200 KB is refused,
// and the trigger then asks the platform to retry it (platform/trigger.ts).
export const RETRY_QUEUE_KEY = 'delivery-retry';
const MAX_EVENTS_PER_PUSH = 50;
const MAX_PUSH_BYTES = 190_000;

const queue = new Queue({ key: RETRY_QUEUE_KEY });

export interface ScheduledRetry {
  delivery: PendingDelivery;
  delaySeconds: number;
}

type QueueMessage = { body: Record<string, unknown>; delayInSeconds: number };

async function pushAll(messages: readonly QueueMessage[]): Promise<void> {
  let batch: QueueMessage[] = [];
  let batchBytes = 0;
  for (const message of messages) {
    const bytes = Buffer.byteLength(JSON.stringify(message));
    if (batch.length > 0 && (batch.length === MAX_EVENTS_PER_PUSH || batchBytes + bytes > MAX_PUSH_BYTES)) {
      await queue.push(batch);
      batch = [];
      batchBytes = 0;
    }
    batch.push(message);
    batchBytes += bytes;
  }
  if (batch.length > 0) await queue.push(batch);
}

export async function scheduleRetries(retries: readonly ScheduledRetry[]): Promise<void> {
  await pushAll(retries.map((retry) => ({ body: { ...retry.delivery }, delayInSeconds: retry.delaySeconds })));
}

/** Keeps an event the trigger could not process, as received, for the consumer to process later. */
export async function deferEvent(payload: unknown, receivedAt: number, delaySeconds: number): Promise<void> {
  const deferred: DeferredEvent = { kind: 'deferred-event', payload, receivedAt };
  await pushAll([{ body: { ...deferred }, delayInSeconds: delaySeconds }]);
}

/** Puts a queue message back unchanged as a fresh message: the platform's retries of it start anew. */
export async function requeueMessage(body: Record<string, unknown>, delaySeconds: number): Promise<void> {
  await pushAll([{ body, delayInSeconds: delaySeconds }]);
}

/** Asks for a drain of the backlog in `delaySeconds` (platform/drain.ts decides when to ask). */
export async function pushDrainMessage(delaySeconds: number, includeHeld: boolean): Promise<void> {
  const message: DrainMessage = { kind: 'drain', ...(includeHeld ? { includeHeld } : {}) };
  await pushAll([{ body: { ...message }, delayInSeconds: delaySeconds }]);
}

/** Asks for a retry of the waiting version tags in `delaySeconds` (platform/tags.ts). */
export async function pushTagsMessage(delaySeconds: number): Promise<void> {
  const message: TagsMessage = { kind: 'tags' };
  await pushAll([{ body: { ...message }, delayInSeconds: delaySeconds }]);
}
