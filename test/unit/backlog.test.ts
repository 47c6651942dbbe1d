import {
  backlogItemId,
  BACKLOG_ITEM_ID,
  CONFIGURATION_PROBE_DELAY_S,
  causeOf,
  DRAIN_READ_UNITS_PER_MINUTE,
  drainStopAfter,
  isHeldCause,
  MAX_DRAIN_REQUEST_BYTES,
  planBatches,
  secondsUntilShareLasts,
  withSpend,
} from '../../src/core/backlog';
import { MAX_RETRY_DELAY_S } from '../../src/core/retry-policy';

describe('backlog item ids', () => {
  it('sort in time order and carry the event id', () => {
    const earlier = backlogItemId(1_700_000_000_000, 'a'.repeat(32));
    const later = backlogItemId(1_700_000_000_001, '0'.repeat(32));
    expect(earlier < later).toBe(true);
    expect(earlier).toMatch(BACKLOG_ITEM_ID);
    expect(backlogItemId(5, 'f'.repeat(32))).toBe(`0000000000005:${'f'.repeat(32)}`);
  });
});

describe('planning drain requests', () => {
  const sized = (bytes: number[]) => bytes.map((size, index) => ({ index, size }));

  it('fills each request up to the byte limit, in order, never splitting an entry', () => {
    const items = sized([400, 400, 400, 400, 400]);
    const batches = planBatches(items, (item) => item.size, 1_000, 100);
    expect(batches.map((batch) => batch.map((item) => item.index))).toEqual([[0, 1], [2, 3], [4]]);
    for (const batch of batches) expect(2 + batch.reduce((sum, item) => sum + item.size + 1, 0)).toBeLessThanOrEqual(1_000);
  });

  it('caps the entries of a request', () => {
    expect(planBatches(sized(Array.from({ length: 7 }, () => 1)), (item) => item.size, 1_000, 3).map((batch) => batch.length)).toEqual([
      3, 3, 1,
    ]);
  });

  it('sends an entry larger than the limit on its own rather than dropping it', () => {
    expect(planBatches(sized([10, 5_000, 10]), (item) => item.size, 1_000, 100).map((batch) => batch.map((item) => item.index))).toEqual([
      [0],
      [1],
      [2],
    ]);
  });

  it('keeps a request of 3 KB entries at 600 or more entries: at most one request per 200 events', () => {
    const batches = planBatches(sized(Array.from({ length: 2_000 }, () => 3_000)), (item) => item.size);
    expect(batches[0]?.length).toBeGreaterThanOrEqual(600);
    expect(2_000 / batches.length).toBeGreaterThanOrEqual(200);
    expect(2 + (batches[0] ?? []).reduce((sum, item) => sum + item.size + 1, 0)).toBeLessThanOrEqual(MAX_DRAIN_REQUEST_BYTES);
  });
});

describe('when a drain stops', () => {
  it('backs off on failures that may pass, honouring Retry-After, within 15 minutes', () => {
    const unavailable = { kind: 'retryable', reason: 'HTTP 503', status: 503 } as const;
    expect(drainStopAfter(unavailable, 1, () => 0)).toEqual({ phase: 'retrying', reason: 'HTTP 503', delaySeconds: 15 });
    expect(drainStopAfter(unavailable, 30, () => 0.999999)).toMatchObject({ delaySeconds: MAX_RETRY_DELAY_S });
    expect(drainStopAfter({ ...unavailable, status: 429, retryAfterMs: 600_000 }, 1, () => 0)).toMatchObject({ delaySeconds: 600 });
  });

  it('waits for new settings when the key or region is refused, probing every 15 minutes', () => {
    expect(drainStopAfter({ kind: 'rejected', cause: 'configuration', reason: 'bad key', status: 401 }, 1)).toEqual({
      phase: 'waiting-for-settings',
      reason: 'bad key',
      delaySeconds: CONFIGURATION_PROBE_DELAY_S,
    });
  });

  it('holds for the admin only what Coralogix refused as it is', () => {
    expect(isHeldCause(causeOf({ kind: 'rejected', cause: 'malformed', reason: 'HTTP 400', status: 400 }))).toBe(true);
    expect(isHeldCause(causeOf({ kind: 'rejected', cause: 'too-large', reason: 'HTTP 413', status: 413 }))).toBe(true);
    expect(isHeldCause(causeOf({ kind: 'rejected', cause: 'configuration', reason: 'HTTP 403', status: 403 }))).toBe(false);
    expect(isHeldCause(causeOf({ kind: 'retryable', reason: 'timeout' }))).toBe(false);
  });
});

describe("the drain's share of a minute's storage units", () => {
  const share = DRAIN_READ_UNITS_PER_MINUTE;
  const nothing = { readUnits: 0, writeUnits: 0 };

  it('counts every run of the last sixty seconds, not a minute that began with one of them', () => {
    // Spent late in one minute and early in the next: a fixed minute would allow twice the share.
    const earlier = [
      { at: 0, readUnits: 300, writeUnits: 0 },
      { at: 40_000, readUnits: share - 300, writeUnits: 0 },
    ];
    expect(secondsUntilShareLasts(earlier, nothing, 50_000)).toBe(10);
    expect(secondsUntilShareLasts(earlier, nothing, 60_000)).toBe(0);
    // The minute that began at 0 is over, yet 40 s ago the share was all but spent.
    expect(secondsUntilShareLasts(earlier, { readUnits: 300, writeUnits: 0 }, 60_000)).toBe(40);
    expect(secondsUntilShareLasts(earlier, { readUnits: 300, writeUnits: 0 }, 100_000)).toBe(0);
  });

  it('lets a run spend what is left of the share, and waits a whole minute once the run alone spent it', () => {
    const earlier = [{ at: 10_000, readUnits: share / 2, writeUnits: 0 }];
    expect(secondsUntilShareLasts(earlier, { readUnits: share / 2 - 1, writeUnits: 0 }, 20_000)).toBe(0);
    expect(secondsUntilShareLasts(earlier, { readUnits: share / 2, writeUnits: 0 }, 20_000)).toBe(50);
    expect(secondsUntilShareLasts([], { readUnits: 0, writeUnits: share }, 20_000)).toBe(60);
  });

  it('keeps only the last minute, one record a second, in the order spent', () => {
    const kept = withSpend(
      [
        { at: 0, readUnits: 5, writeUnits: 5 },
        { at: 30_000, readUnits: 7, writeUnits: 1 },
      ],
      { at: 30_400, readUnits: 3, writeUnits: 2 },
    );
    expect(kept).toEqual([
      { at: 0, readUnits: 5, writeUnits: 5 },
      { at: 30_400, readUnits: 10, writeUnits: 3 },
    ]);
    expect(withSpend(kept, { at: 60_001, readUnits: 1, writeUnits: 0 })).toEqual([
      { at: 30_400, readUnits: 10, writeUnits: 3 },
      { at: 60_001, readUnits: 1, writeUnits: 0 },
    ]);
    expect(withSpend(kept, { at: 61_000, ...nothing })).toEqual([{ at: 30_400, readUnits: 10, writeUnits: 3 }]);
  });
});
