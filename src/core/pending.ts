import type { FailureCause } from './retry-policy';
import { v, validate, type Validated } from './validation';

// An entry on its way to Coralogix that did not arrive at the first attempt: the body of a retry
// queue event, and (with its cause) a dead letter. It holds no secret: the key is read from
// secret storage at each attempt.

const entrySchema = v.object({
  applicationName: v.string(),
  subsystemName: v.string(),
  text: v.string(),
  timestamp: v.number().optional(),
  hiResTimestamp: v.string().optional(),
  severity: v.union(v.literal(1), v.literal(2), v.literal(3), v.literal(4), v.literal(5), v.literal(6)).optional(),
  category: v.string().optional(),
  className: v.string().optional(),
  methodName: v.string().optional(),
  computerName: v.string().optional(),
  threadId: v.string().optional(),
});

const pendingDeliverySchema = v.object({
  eventId: v.string(),
  eventType: v.string(),
  entry: entrySchema,
  attempts: v.number(),
  firstAttemptAt: v.number(),
  lastAttemptAt: v.number(),
  lastReason: v.string().optional(),
  /** Set once the heartbeat has replayed it after a settings change, so that happens only once. */
  autoReplayed: v.boolean().optional(),
});

export type PendingDelivery = v.Infer<typeof pendingDeliverySchema>;

export interface DeadLetter extends PendingDelivery {
  cause: FailureCause;
  reason: string;
  deadLetteredAt: number;
  /** The settings revision in force when it failed: a later revision may have fixed the cause. */
  settingsRevision: number | null;
}

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

/**
 * What the retry queue carries, read back. Only this app writes the queue, but the reader may be a
 * later version of it: unknown fields are dropped, not refused. The two shapes are told apart by
 * `kind` first, so a problem is reported against the shape that was meant.
 */
export function decodeRetryMessage(body: unknown): Validated<DeferredEvent | PendingDelivery> {
  const isDeferred = typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'deferred-event';
  return isDeferred ? validate(deferredEventSchema, body, 'strip') : validate(pendingDeliverySchema, body, 'strip');
}
