import { classifyResponse, classifyTransportFailure, parseRetryAfter } from '../../src/core/outcome';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('classifying a Coralogix response', () => {
  it.each([
    [200, 'delivered'],
    [202, 'delivered'],
    [204, 'delivered'],
    [408, 'retryable'],
    [429, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
    [400, 'rejected'],
    [404, 'rejected'],
    [405, 'rejected'],
    [422, 'rejected'],
    [401, 'rejected'],
    [403, 'rejected'],
    [413, 'rejected'],
  ])('HTTP %i is %s', (status, kind) => {
    expect(classifyResponse(status, null, NOW).kind).toBe(kind);
  });

  it.each([
    [401, 'configuration'],
    [403, 'configuration'],
    [400, 'malformed'],
    [422, 'malformed'],
    [413, 'too-large'],
  ])('HTTP %i is rejected as a %s problem', (status, cause) => {
    expect(classifyResponse(status, null, NOW)).toMatchObject({ kind: 'rejected', cause });
  });

  it('tells the admin to check key and region on 401/403', () => {
    const outcome = classifyResponse(403, null, NOW);
    expect(outcome.kind === 'rejected' && outcome.reason).toMatch(/key.*region/);
  });

  it('honours Retry-After on 429', () => {
    expect(classifyResponse(429, '7', NOW)).toMatchObject({ kind: 'retryable', retryAfterMs: 7000 });
  });

  it('ignores Retry-After where it does not apply', () => {
    expect(classifyResponse(502, '7', NOW)).not.toHaveProperty('retryAfterMs');
  });
});

describe('parsing Retry-After', () => {
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Sat, 21 Nov 2026 12:00:30 GMT', 30_000],
    ['Sat, 21 Nov 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
    ['-5', undefined],
  ])('%p → %p ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('classifying transport failures', () => {
  it('retries timeouts and network errors', () => {
    expect(classifyTransportFailure('timeout', 'x').kind).toBe('retryable');
    expect(classifyTransportFailure('network', 'ECONNRESET').kind).toBe('retryable');
  });

  it('does not retry a host the egress allow-list refuses', () => {
    expect(classifyTransportFailure('egress-refused', 'x')).toMatchObject({ kind: 'rejected', cause: 'configuration' });
  });
});
