import { randomUUID } from 'node:crypto';

// The platform's side of @forge/events: Queue.push posts {queueName, jobId, payload: [{body,
// delayInSeconds}]} to /webhook/queue/publish/... and expects 201. The rules, from the Forge docs
// (async events API, "Async events limits"; forge-facts.md, "Limits and retries"):
// - per installation: 50 events and 200 KB per push, 500 events pushed per minute (429, which
//   @forge/events turns into RateLimitError), delayInSeconds 0-900;
// - delivery is at-least-once; a consumer that returns an InvocationError is redelivered after its
//   retryAfter (at most 900 s) with event.retryContext {retryCount, retryReason, retryData}, at most
//   PLATFORM_MAX_RETRIES times, within the retention window of 24 h from the push. Past either, the
//   platform drops the event: the harness counts it as abandoned.
// - the docs promise no redelivery for a consumer that throws: counted as abandoned too.
export const PUBLISH_PATH_PREFIX = '/webhook/queue/publish/';
export const PLATFORM_MAX_RETRIES = 4;
export const MAX_EVENTS_PER_MINUTE = 500;
const MINUTE_MS = 60_000;
/** One push's limits; the longest delay holds for a consumer's retryAfter too. */
const PUSH_LIMITS = { events: 50, kilobytes: 200, delaySeconds: 900 } as const;
const QUEUE_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface QueuedEvent {
  readonly queueName: string;
  readonly jobId: string;
  readonly eventId: string;
  readonly body: Record<string, unknown>;
  readonly pushedAt: number;
  deliverAt: number;
  retryCount: number;
  retryReason?: string;
  retryData?: unknown;
}

interface AbandonedEvent extends QueuedEvent {
  readonly why: 'retries-exhausted' | 'retention-expired' | 'thrown';
}

export type ConsumerInvoker = (event: QueuedEvent) => Promise<{ ok: boolean; value?: unknown; error?: unknown }>;

export interface QueueStats {
  pushes: number;
  pushedEvents: number;
  delivered: number;
  platformRetries: number;
  /** Events the platform gave up on after its retries: losses the app must never cause. */
  abandoned: AbandonedEvent[];
  /** Pushes refused for the per-minute limit. */
  rateLimited: number;
}

/** The retry request in a function's return value: what `new InvocationError(...)` returns (its toJSON). */
export function retryRequestOf(value: unknown): { retryAfter?: number; retryReason?: string; retryData?: unknown } | undefined {
  if (typeof value !== 'object' || value === null || (value as { _retry?: unknown })._retry !== true) return undefined;
  return (value as { retryOptions?: { retryAfter?: number; retryReason?: string; retryData?: unknown } }).retryOptions ?? {};
}

export class QueueEmulator {
  readonly pending: QueuedEvent[] = [];
  readonly stats: QueueStats = { pushes: 0, pushedEvents: 0, delivered: 0, platformRetries: 0, abandoned: [], rateLimited: 0 };
  private readonly consumers = new Map<string, ConsumerInvoker>();
  private refusals: number[] = [];
  /** When each event accepted in the last minute was pushed, oldest first. */
  private recentPushes: number[] = [];

  constructor(private readonly now: () => number) {}

  registerConsumer(queueName: string, invoke: ConsumerInvoker): void {
    this.consumers.set(queueName, invoke);
  }

  /** Makes the next publishes answer with these statuses (e.g. 429 rate limit), for fault tests. */
  refuseNextPushes(...statuses: number[]): void {
    this.refusals.push(...statuses);
  }

  async handlePublish(init: RequestInit | undefined): Promise<Response> {
    const refusal = this.refusals.shift();
    if (refusal !== undefined) return Response.json({ message: 'refused by the test' }, { status: refusal });
    const request = JSON.parse(String(init?.body ?? '{}')) as {
      queueName?: string;
      jobId?: string;
      payload?: Array<{ body?: unknown; delayInSeconds?: number }>;
    };
    const payload = request.payload ?? [];
    if (!request.queueName || payload.length === 0)
      return Response.json({ message: 'queueName and payload are required' }, { status: 400 });
    if (payload.length > PUSH_LIMITS.events) return Response.json({ message: 'too many events' }, { status: 400 });
    if (Buffer.byteLength(JSON.stringify(payload)) / 1024 > PUSH_LIMITS.kilobytes)
      return Response.json({ errorMessage: 'payload too big' }, { status: 413 });
    for (const event of payload) {
      const delay = event.delayInSeconds ?? 0;
      if (delay < 0 || delay > PUSH_LIMITS.delaySeconds) return Response.json({ message: 'invalid delayInSeconds' }, { status: 400 });
    }
    const now = this.now();
    this.recentPushes = this.recentPushes.filter((at) => at > now - MINUTE_MS);
    if (this.recentPushes.length + payload.length > MAX_EVENTS_PER_MINUTE) {
      this.stats.rateLimited += 1;
      return Response.json({ message: 'rate limit exceeded' }, { status: 429 });
    }
    this.stats.pushes += 1;
    for (const event of payload) {
      this.stats.pushedEvents += 1;
      this.recentPushes.push(now);
      this.pending.push({
        queueName: request.queueName,
        jobId: request.jobId ?? randomUUID(),
        eventId: randomUUID(),
        body: (event.body ?? {}) as Record<string, unknown>,
        pushedAt: now,
        deliverAt: now + (event.delayInSeconds ?? 0) * 1000,
        retryCount: 0,
      });
    }
    return new Response(null, { status: 201 });
  }

  nextDueAt(): number | undefined {
    return this.pending.reduce<number | undefined>(
      (earliest, event) => (earliest === undefined || event.deliverAt < earliest ? event.deliverAt : earliest),
      undefined,
    );
  }

  /**
   * Delivers events due now, in due order (at most `limit` of them); events pushed meanwhile that are
   * due are delivered too. Returns how many consumer invocations ran.
   */
  async deliverDue(limit = Number.POSITIVE_INFINITY): Promise<number> {
    let invocations = 0;
    while (invocations < limit) {
      const now = this.now();
      const due = this.pending.filter((event) => event.deliverAt <= now).sort((a, b) => a.deliverAt - b.deliverAt)[0];
      if (!due) return invocations;
      this.pending.splice(this.pending.indexOf(due), 1);
      if (now - due.pushedAt > QUEUE_RETENTION_MS) {
        this.stats.abandoned.push({ ...due, why: 'retention-expired' });
        continue;
      }
      const consumer = this.consumers.get(due.queueName);
      if (!consumer) throw new Error(`No consumer for queue ${due.queueName}`);
      invocations += 1;
      const result = await consumer(due);
      if (!result.ok) {
        this.stats.abandoned.push({ ...due, why: 'thrown' });
        continue;
      }
      const retry = retryRequestOf(result.value);
      if (!retry) {
        this.stats.delivered += 1;
        continue;
      }
      if (due.retryCount >= PLATFORM_MAX_RETRIES) {
        this.stats.abandoned.push({ ...due, why: 'retries-exhausted' });
        continue;
      }
      this.stats.platformRetries += 1;
      this.pending.push({
        ...due,
        retryCount: due.retryCount + 1,
        deliverAt: this.now() + Math.min(PUSH_LIMITS.delaySeconds, Math.max(1, retry.retryAfter ?? 1)) * 1000,
        retryReason: retry.retryReason ?? 'FUNCTION_RETRY_REQUEST',
        retryData: retry.retryData,
      });
    }
    return invocations;
  }
}
