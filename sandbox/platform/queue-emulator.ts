import { randomUUID } from 'node:crypto';

// The platform's side of @forge/events: Queue.push posts {queueName, jobId, payload: [{body,
// delayInSeconds}]} to /webhook/queue/publish/... and expects 201. Delivery to the consumer is
// at-least-once; a consumer that throws or returns an InvocationError is redelivered after its
// retryAfter (1 s if none), with event.retryContext, up to PLATFORM_MAX_RETRIES times.
export const PUBLISH_PATH_PREFIX = '/webhook/queue/publish/';
export const PLATFORM_MAX_RETRIES = 4;
const MAX_EVENTS_PER_PUSH = 50;
const MAX_PUSH_KB = 200;
const MAX_DELAY_S = 900;

export interface QueuedEvent {
  readonly queueName: string;
  readonly jobId: string;
  readonly eventId: string;
  readonly body: Record<string, unknown>;
  deliverAt: number;
  retryCount: number;
  retryReason?: string;
}

export type ConsumerInvoker = (event: QueuedEvent) => Promise<{ ok: boolean; value?: unknown; error?: unknown }>;

export interface QueueStats {
  pushes: number;
  pushedEvents: number;
  delivered: number;
  platformRetries: number;
  /** Events the platform gave up on after its retries: losses the app must never cause. */
  abandoned: QueuedEvent[];
}

function isRetryRequest(value: unknown): value is { _retry: true; retryOptions?: { retryAfter?: number; retryReason?: string } } {
  return typeof value === 'object' && value !== null && (value as { _retry?: unknown })._retry === true;
}

export class QueueEmulator {
  readonly pending: QueuedEvent[] = [];
  readonly stats: QueueStats = { pushes: 0, pushedEvents: 0, delivered: 0, platformRetries: 0, abandoned: [] };
  private readonly consumers = new Map<string, ConsumerInvoker>();
  private refusals: number[] = [];

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
    const request = JSON.parse(String(init?.body ?? '{}')) as { queueName?: string; jobId?: string; payload?: Array<{ body?: unknown; delayInSeconds?: number }> };
    const payload = request.payload ?? [];
    if (!request.queueName || payload.length === 0) return Response.json({ message: 'queueName and payload are required' }, { status: 400 });
    if (payload.length > MAX_EVENTS_PER_PUSH) return Response.json({ message: 'too many events' }, { status: 400 });
    if (Buffer.byteLength(JSON.stringify(payload)) / 1024 > MAX_PUSH_KB) return Response.json({ errorMessage: 'payload too big' }, { status: 413 });
    for (const event of payload) {
      const delay = event.delayInSeconds ?? 0;
      if (delay < 0 || delay > MAX_DELAY_S) return Response.json({ message: 'invalid delayInSeconds' }, { status: 400 });
    }
    this.stats.pushes += 1;
    for (const event of payload) {
      this.stats.pushedEvents += 1;
      this.pending.push({
        queueName: request.queueName,
        jobId: request.jobId ?? randomUUID(),
        eventId: randomUUID(),
        body: (event.body ?? {}) as Record<string, unknown>,
        deliverAt: this.now() + (event.delayInSeconds ?? 0) * 1000,
        retryCount: 0,
      });
    }
    return new Response(null, { status: 201 });
  }

  nextDueAt(): number | undefined {
    return this.pending.reduce<number | undefined>((earliest, event) => (earliest === undefined || event.deliverAt < earliest ? event.deliverAt : earliest), undefined);
  }

  /**
   * Delivers every event due now, in due order; events pushed meanwhile that are due are delivered
   * too. Returns how many consumer invocations ran.
   */
  async deliverDue(): Promise<number> {
    let invocations = 0;
    for (;;) {
      const now = this.now();
      const due = this.pending.filter((event) => event.deliverAt <= now).sort((a, b) => a.deliverAt - b.deliverAt)[0];
      if (!due) return invocations;
      this.pending.splice(this.pending.indexOf(due), 1);
      const consumer = this.consumers.get(due.queueName);
      if (!consumer) throw new Error(`No consumer for queue ${due.queueName}`);
      invocations += 1;
      const result = await consumer(due);
      const retry = !result.ok ? { retryAfter: 1, retryReason: 'FUNCTION_PLATFORM_UNKNOWN_ERROR' } : isRetryRequest(result.value) ? result.value.retryOptions : undefined;
      if (result.ok && !isRetryRequest(result.value)) {
        this.stats.delivered += 1;
        continue;
      }
      if (due.retryCount >= PLATFORM_MAX_RETRIES) {
        this.stats.abandoned.push(due);
        continue;
      }
      this.stats.platformRetries += 1;
      this.pending.push({
        ...due,
        retryCount: due.retryCount + 1,
        deliverAt: this.now() + Math.min(MAX_DELAY_S, retry?.retryAfter ?? 1) * 1000,
        ...(retry?.retryReason ? { retryReason: retry.retryReason } : {}),
      });
    }
  }
}
