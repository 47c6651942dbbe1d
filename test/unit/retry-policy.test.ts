import { decideAfterFailure, MAX_RETRY_DELAY_S, retryDelaySeconds, RETRY_WINDOW_MS } from '../../src/core/retry-policy';

const retryable = { kind: 'retryable', reason: 'HTTP 503', status: 503 } as const;
const START = Date.parse('2026-11-21T00:00:00Z');

describe('retry delays', () => {
  it.each([
    [1, 15, 30],
    [2, 30, 60],
    [3, 60, 120],
    [5, 240, 480],
    [6, 450, 900],
    [12, 450, 900],
  ])('retry %i waits between %i and %i s', (retry, low, high) => {
    expect(retryDelaySeconds(retry, undefined, () => 0)).toBe(low);
    expect(retryDelaySeconds(retry, undefined, () => 0.999999)).toBe(high);
  });

  it('honours Retry-After as a floor, within the platform maximum', () => {
    expect(retryDelaySeconds(1, 120_000, () => 0)).toBe(120);
    expect(retryDelaySeconds(1, 5_000_000, () => 0)).toBe(MAX_RETRY_DELAY_S);
  });
});

describe('deciding after a failed attempt', () => {
  it('retries a retryable failure', () => {
    expect(decideAfterFailure(retryable, 1, START, START, () => 0.5)).toEqual({ action: 'retry', delaySeconds: 23, reason: 'HTTP 503' });
  });

  it('dead-letters a rejection at once, with its cause', () => {
    expect(decideAfterFailure({ kind: 'rejected', cause: 'configuration', reason: 'bad key', status: 403 }, 1, START, START)).toEqual({
      action: 'dead-letter',
      cause: 'configuration',
      reason: 'bad key',
    });
  });

  it('gives up once the next retry would fall outside the 24 h window', () => {
    const late = START + RETRY_WINDOW_MS - 60_000;
    expect(decideAfterFailure(retryable, 40, START, late, () => 0.5)).toMatchObject({ action: 'dead-letter', cause: 'retries-exhausted' });
    expect(decideAfterFailure(retryable, 40, START, START + RETRY_WINDOW_MS / 2, () => 0.5)).toMatchObject({ action: 'retry' });
  });
});
