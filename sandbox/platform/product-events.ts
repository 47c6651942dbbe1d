import { retryRequestOf } from './queue-emulator';

// How Forge delivers a product (Bitbucket) event to a trigger, and what it does when the trigger does
// not handle it. From the Forge events reference, "Atlassian app events" (forge-facts.md, "Retries of
// product events"):
// - a trigger that returns an InvocationError is invoked again after its retryAfter (at most 900 s),
//   at most 4 times;
// - timeouts, out-of-memory and platform rate limits are retried by the platform (not modelled: the
//   app never relies on them);
// - nothing is promised for a thrown error: the harness counts the event as lost.
// The docs do not say whether a retried trigger event carries `retryContext`; the emulation adds it
// (as the async-events API does). The app reads it only to space its retry requests (60, 300, 900,
// 900 s); without it, every request asks for 300 s, so the platform's 4 retries span 20 minutes
// instead of about 36 (core/retry-policy.ts).
const PRODUCT_EVENT_MAX_RETRIES = 4;
const PRODUCT_EVENT_MAX_RETRY_AFTER_S = 900;

interface LostProductEvent {
  readonly payload: unknown;
  readonly why: 'thrown' | 'retries-exhausted';
  readonly error?: unknown;
}

interface PendingRetry {
  readonly payload: unknown;
  readonly retryCount: number;
  readonly retryReason: string;
  readonly retryData: unknown;
  readonly deliverAt: number;
}

type Invoker = (event: unknown) => Promise<{ ok: boolean; value?: unknown; error?: unknown }>;

export class ProductEventEmulator {
  readonly stats = { retries: 0 };
  readonly lost: LostProductEvent[] = [];
  private pending: Array<PendingRetry & { invoke: Invoker }> = [];

  constructor(private readonly now: () => number) {}

  async emit(payload: unknown, invoke: Invoker): Promise<{ ok: boolean; value?: unknown; error?: unknown }> {
    return this.attempt(payload, 0, undefined, invoke);
  }

  nextDueAt(): number | undefined {
    return this.pending.reduce<number | undefined>(
      (earliest, retry) => (earliest === undefined || retry.deliverAt < earliest ? retry.deliverAt : earliest),
      undefined,
    );
  }

  async deliverDue(): Promise<number> {
    let invocations = 0;
    for (;;) {
      const now = this.now();
      const due = this.pending.filter((retry) => retry.deliverAt <= now).sort((a, b) => a.deliverAt - b.deliverAt)[0];
      if (!due) return invocations;
      this.pending.splice(this.pending.indexOf(due), 1);
      invocations += 1;
      await this.attempt(due.payload, due.retryCount, due, due.invoke);
    }
  }

  private async attempt(payload: unknown, retryCount: number, previous: PendingRetry | undefined, invoke: Invoker) {
    const event =
      previous === undefined || typeof payload !== 'object' || payload === null
        ? payload
        : { ...payload, retryContext: { retryCount, retryReason: previous.retryReason, retryData: previous.retryData } };
    const result = await invoke(event);
    if (!result.ok) {
      this.lost.push({ payload, why: 'thrown', error: result.error });
      return result;
    }
    const retry = retryRequestOf(result.value);
    if (!retry) {
      return result;
    }
    if (retryCount >= PRODUCT_EVENT_MAX_RETRIES) {
      this.lost.push({ payload, why: 'retries-exhausted' });
      return result;
    }
    this.stats.retries += 1;
    const delayS = Math.min(PRODUCT_EVENT_MAX_RETRY_AFTER_S, Math.max(1, retry.retryAfter ?? 1));
    this.pending.push({
      payload,
      retryCount: retryCount + 1,
      retryReason: retry.retryReason ?? 'FUNCTION_RETRY_REQUEST',
      retryData: retry.retryData,
      deliverAt: this.now() + delayS * 1000,
      invoke,
    });
    return result;
  }
}
