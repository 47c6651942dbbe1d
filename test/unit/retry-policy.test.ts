import { MAX_RETRY_DELAY_S, retryDelaySeconds } from '../../src/core/retry-policy';

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
