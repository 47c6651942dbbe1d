import * as z from 'zod/mini';
import type { FailureCause } from './retry-policy';

// An entry on its way to Coralogix that did not arrive at the first attempt: the body of a retry
// queue event, and (with its cause) a dead letter. It holds no secret: the key is read from
// secret storage at each attempt.

const entrySchema = z.object({
  applicationName: z.string(),
  subsystemName: z.string(),
  text: z.string(),
  timestamp: z.optional(z.number()),
  hiResTimestamp: z.optional(z.string()),
  severity: z.optional(z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6)])),
  category: z.optional(z.string()),
  className: z.optional(z.string()),
  methodName: z.optional(z.string()),
  computerName: z.optional(z.string()),
  threadId: z.optional(z.string()),
});

export const pendingDeliverySchema = z.object({
  eventId: z.string(),
  eventType: z.string(),
  entry: entrySchema,
  attempts: z.number(),
  firstAttemptAt: z.number(),
  lastAttemptAt: z.number(),
  lastReason: z.optional(z.string()),
  /** Set once the heartbeat has replayed it after a settings change, so that happens only once. */
  autoReplayed: z.optional(z.boolean()),
});

export type PendingDelivery = z.infer<typeof pendingDeliverySchema>;

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
export const deferredEventSchema = z.object({
  kind: z.literal('deferred-event'),
  payload: z.unknown(),
  receivedAt: z.number(),
});

export type DeferredEvent = z.infer<typeof deferredEventSchema>;

/** What the retry queue carries. */
export const retryMessageSchema = z.union([deferredEventSchema, pendingDeliverySchema]);
