import { coralogixEntrySchema } from './coralogix-entry';
import { objectOrEmpty } from './json';
import { v, validate, type Validated } from './validation';

// An entry on its way to Coralogix that did not arrive at the first attempt: the body of a backlog
// item (core/backlog.ts), and of a queue event when storage could not take it. It holds no
// secret: the key is read from secret storage at each attempt.

const pendingDeliverySchema = v.object({
  eventId: v.string(),
  eventType: v.string(),
  entry: coralogixEntrySchema,
  attempts: v.number(),
  firstAttemptAt: v.number(),
  lastAttemptAt: v.number(),
  lastReason: v.string().optional(),
});

export type PendingDelivery = v.Infer<typeof pendingDeliverySchema>;

/**
 * A Bitbucket event that the trigger could not process (its settings could not be read): kept on the
 * retry queue as received, so that the consumer processes it once storage answers again.
 */
const deferredEventSchema = v.object({
  kind: v.literal('deferred-event'),
  payload: v.unknown().optional(),
  receivedAt: v.number(),
});

export type DeferredEvent = v.Infer<typeof deferredEventSchema>;

/** Asks the consumer to drain the installation's backlog (platform/drain.ts). */
const drainMessageSchema = v.object({
  kind: v.literal('drain'),
  /** Also send what Coralogix refused as it was: the admin asked to retry everything. */
  includeHeld: v.boolean().optional(),
});

export type DrainMessage = v.Infer<typeof drainMessageSchema>;

/** Asks the consumer to retry the waiting version tags (platform/tags.ts). */
const tagsMessageSchema = v.object({ kind: v.literal('tags') });

export type TagsMessage = v.Infer<typeof tagsMessageSchema>;

/**
 * What the retry queue carries, read back. Only this app writes the queue, but the reader may be a
 * later version of it: unknown fields are dropped, not refused. The two shapes are told apart by
 * `kind` first, so a problem is reported against the shape that was meant.
 */
export function decodeRetryMessage(body: unknown): Validated<DeferredEvent | DrainMessage | TagsMessage | PendingDelivery> {
  const { kind } = objectOrEmpty(body);
  if (kind === 'tags') return validate(tagsMessageSchema, body, 'strip');
  if (kind === 'deferred-event') return validate(deferredEventSchema, body, 'strip');
  if (kind === 'drain') return validate(drainMessageSchema, body, 'strip');
  // Entries queued one by one for retry by earlier versions of the app: attempted once more, then kept in the backlog.
  return validate(pendingDeliverySchema, body, 'strip');
}
