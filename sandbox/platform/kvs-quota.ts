// Forge's per-installation limits on the Key-Value Store ("KVS and Custom Entity Store limits",
// developer.atlassian.com/platform/forge/limits-kvs-ce, Dec 2025): 1,000 requests a second, and
// 4,000 reads and 4,000 writes a minute counted in 10 KB units ("request sizes are rounded up to
// the nearest 10KB"); past them the platform answers 429 RATE_LIMIT_EXCEEDED.
//
// As the docs say, the request is what is rounded: a write by the JSON it sends, a read by the JSON
// it gets back (a batch of 25 deletes is one unit, a query page of 100 values of 3 KB is 30).
// Assumed where they are silent: a read is admitted for one unit and charged the rest once served.
// Windows slide over the platform's clock, so a fake-clock test meets the limit exactly as a minute
// of real traffic would.
export const KVS_REQUESTS_PER_SECOND = 1000;
export const KVS_READ_UNITS_PER_MINUTE = 4000;
export const KVS_WRITE_UNITS_PER_MINUTE = 4000;
export const KVS_UNIT_BYTES = 10 * 1024;

export type QuotaKind = 'read' | 'write';

export interface QuotaLimits {
  requestsPerSecond: number;
  readUnitsPerMinute: number;
  writeUnitsPerMinute: number;
}

export const FORGE_KVS_LIMITS: QuotaLimits = {
  requestsPerSecond: KVS_REQUESTS_PER_SECOND,
  readUnitsPerMinute: KVS_READ_UNITS_PER_MINUTE,
  writeUnitsPerMinute: KVS_WRITE_UNITS_PER_MINUTE,
};

/** The units a request or an answer costs: its JSON rounded up to 10 KB, at least one. */
export function unitsOf(value: unknown): number {
  const bytes = value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '');
  return Math.max(1, Math.ceil(bytes / KVS_UNIT_BYTES));
}

/** Spending over a sliding window, oldest first; what falls out of the window is dropped as it passes. */
class SlidingWindow {
  private readonly spent: Array<{ at: number; amount: number }> = [];
  private head = 0;
  private total = 0;

  constructor(private readonly lengthMs: number) {}

  private expire(now: number): void {
    while (this.head < this.spent.length && (this.spent[this.head] as { at: number }).at <= now - this.lengthMs) {
      this.total -= (this.spent[this.head] as { amount: number }).amount;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.spent.length) {
      this.spent.splice(0, this.head);
      this.head = 0;
    }
  }

  used(now: number): number {
    this.expire(now);
    return this.total;
  }

  add(now: number, amount: number): void {
    this.expire(now);
    this.spent.push({ at: now, amount });
    this.total += amount;
  }

  /** Milliseconds until `amount` more fits under `limit` (0 when it fits now). */
  waitFor(now: number, amount: number, limit: number): number {
    this.expire(now);
    let excess = this.total + amount - limit;
    if (excess <= 0) return 0;
    for (let index = this.head; index < this.spent.length; index += 1) {
      const entry = this.spent[index] as { at: number; amount: number };
      excess -= entry.amount;
      if (excess <= 0) return Math.max(1, entry.at + this.lengthMs - now);
    }
    return this.lengthMs;
  }
}

export interface QuotaCounters {
  readUnits: number;
  writeUnits: number;
  /** Units by operation and key prefix (up to the second colon), for reports of where storage goes. */
  byOperation: Record<string, { requests: number; units: number; refused?: { requestsPerSecond: number; unitsPerMinute: number } }>;
  /** Requests answered 429 because a limit was reached. */
  rateLimited: number;
}

export class KvsQuota {
  private readonly requests = new SlidingWindow(1000);
  private readonly reads = new SlidingWindow(60_000);
  private readonly writes = new SlidingWindow(60_000);
  readonly counters: QuotaCounters = { readUnits: 0, writeUnits: 0, rateLimited: 0, byOperation: {} };

  constructor(
    private readonly now: () => number,
    private readonly limits: QuotaLimits = FORGE_KVS_LIMITS,
  ) {}

  /**
   * Seconds to wait when a request of `units` (a read's are known only once served: at least one)
   * would pass a limit; undefined when it is admitted, and then the request is counted.
   */
  admit(kind: QuotaKind, units: number, label: string = kind): number | undefined {
    const now = this.now();
    const window = kind === 'read' ? this.reads : this.writes;
    const unitLimit = kind === 'read' ? this.limits.readUnitsPerMinute : this.limits.writeUnitsPerMinute;
    const rateWaitMs = this.requests.waitFor(now, 1, this.limits.requestsPerSecond);
    const unitWaitMs = window.waitFor(now, units, unitLimit);
    const waitMs = Math.max(rateWaitMs, unitWaitMs);
    if (waitMs > 0) {
      this.counters.rateLimited += 1;
      const counts = (this.counters.byOperation[label] ??= { requests: 0, units: 0 });
      counts.refused ??= { requestsPerSecond: 0, unitsPerMinute: 0 };
      if (rateWaitMs > 0) counts.refused.requestsPerSecond += 1;
      else counts.refused.unitsPerMinute += 1;
      return Math.ceil(waitMs / 1000);
    }
    this.requests.add(now, 1);
    (this.counters.byOperation[label] ??= { requests: 0, units: 0 }).requests += 1;
    this.charge(kind, units, label);
    return undefined;
  }

  /** Units a read turned out to cost beyond the one admitted. */
  charge(kind: QuotaKind, units: number, label: string = kind): void {
    if (units <= 0) return;
    (kind === 'read' ? this.reads : this.writes).add(this.now(), units);
    if (kind === 'read') this.counters.readUnits += units;
    else this.counters.writeUnits += units;
    (this.counters.byOperation[label] ??= { requests: 0, units: 0 }).units += units;
  }

  used(kind: QuotaKind): number {
    return (kind === 'read' ? this.reads : this.writes).used(this.now());
  }
}
