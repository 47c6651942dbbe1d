import { HEARTBEAT_INTERVAL_MS, headlineOf, heartbeatStatus, type HeadlineInput } from '../../src/core/health';

const NOW = 1_800_000_000_000;
const configured = { configured: true, forwardingEnabled: true, revision: NOW - 600_000 };

describe('the heartbeat as the status panel says it', () => {
  it('is off while nothing is configured or forwarding is off', () => {
    const record = { at: NOW - 60_000, outcome: 'delivered' as const, revision: configured.revision };
    expect(heartbeatStatus(record, { configured: false, forwardingEnabled: false, revision: null }, NOW)).toEqual({
      state: 'off',
      because: 'not-configured',
    });
    expect(heartbeatStatus(record, { ...configured, forwardingEnabled: false }, NOW)).toEqual({ state: 'off', because: 'forwarding-off' });
  });

  it('treats a heartbeat from before the last save as news about other settings', () => {
    // "not configured" an hour before the admin configured the app: the next one is what counts.
    const before = { at: NOW - 30 * 60_000, outcome: 'not-configured' as const };
    expect(heartbeatStatus(before, configured, NOW)).toEqual({ state: 'pending', nextBy: before.at + HEARTBEAT_INTERVAL_MS });
    const failedWithOldKey = { at: NOW - 20 * 60_000, outcome: 'failed' as const, reason: 'HTTP 403', revision: configured.revision - 1 };
    expect(heartbeatStatus(failedWithOldKey, configured, NOW).state).toBe('pending');
    expect(heartbeatStatus(null, configured, NOW)).toEqual({ state: 'pending', nextBy: null });
  });

  it('reports one sent with the saved settings as it went', () => {
    const delivered = { at: NOW - 5 * 60_000, outcome: 'delivered' as const, revision: configured.revision };
    expect(heartbeatStatus(delivered, configured, NOW)).toEqual({
      state: 'delivered',
      at: delivered.at,
      nextBy: delivered.at + HEARTBEAT_INTERVAL_MS,
    });
    const late = { ...delivered, at: NOW - 2 * HEARTBEAT_INTERVAL_MS };
    expect(heartbeatStatus(late, configured, NOW)).toEqual({ state: 'delivered', at: late.at, nextBy: null });
    const failed = { at: NOW - 60_000, outcome: 'failed' as const, reason: 'HTTP 503', revision: configured.revision };
    expect(heartbeatStatus(failed, configured, NOW)).toMatchObject({ state: 'failed', reason: 'HTTP 503' });
  });
});

describe('the status headline', () => {
  const base: HeadlineInput = {
    current: configured,
    savedAt: configured.revision,
    lastSuccessAt: null,
    lastFailure: null,
    backlog: { count: 0, phase: 'idle', phaseSince: 0, oldestAt: null, oldestNeedsSettings: false },
    tags: { waiting: 0, reason: null },
  };

  it('says not configured, then paused, before anything else', () => {
    const failing = { ...base, lastFailure: { at: NOW, reason: 'HTTP 503' } };
    expect(headlineOf({ ...failing, current: { configured: false, forwardingEnabled: false, revision: null } })).toEqual({
      state: 'not-configured',
    });
    expect(headlineOf({ ...failing, current: { ...configured, forwardingEnabled: false } })).toEqual({ state: 'paused', waiting: 0 });
  });

  it('is healthy once configured, with or without a delivery yet', () => {
    expect(headlineOf(base)).toEqual({ state: 'healthy', lastSuccessAt: null });
    const recovered = { ...base, lastSuccessAt: NOW - 1_000, lastFailure: { at: NOW - 5_000, reason: 'HTTP 503' } };
    expect(headlineOf(recovered)).toEqual({ state: 'healthy', lastSuccessAt: NOW - 1_000 });
  });

  it('says since when it fails: the first sign after the last success', () => {
    const failing: HeadlineInput = {
      ...base,
      lastSuccessAt: NOW - 3_600_000,
      lastFailure: { at: NOW - 60_000, reason: 'Coralogix refused the API key (HTTP 403)' },
      backlog: { count: 3, phase: 'waiting-for-settings', phaseSince: NOW - 500_000, oldestAt: NOW - 900_000, oldestNeedsSettings: true },
    };
    expect(headlineOf(failing)).toEqual({
      state: 'failing',
      since: NOW - 900_000,
      reason: 'Coralogix refused the API key (HTTP 403)',
      needsSettings: true,
    });
    // Kept before the last success: not evidence of this failure.
    const olderBacklog = { ...failing, backlog: { ...failing.backlog, oldestAt: NOW - 7_200_000 } };
    expect(headlineOf(olderBacklog)).toMatchObject({ state: 'failing', since: NOW - 500_000 });
  });

  it('stops saying failing once new settings are saved, and says the backlog is catching up', () => {
    const fixed: HeadlineInput = {
      ...base,
      savedAt: NOW - 1_000,
      lastFailure: { at: NOW - 60_000, reason: 'HTTP 403' },
      backlog: { count: 2, phase: 'waiting-for-settings', phaseSince: NOW - 60_000, oldestAt: NOW - 60_000, oldestNeedsSettings: true },
    };
    expect(headlineOf(fixed)).toEqual({ state: 'catching-up', waiting: 2, draining: false });
    expect(headlineOf({ ...fixed, backlog: { ...fixed.backlog, phase: 'draining' } })).toEqual({
      state: 'catching-up',
      waiting: 2,
      draining: true,
    });
  });

  it('does not say healthy while version tags wait, and puts the log stream first', () => {
    const tags = { waiting: 2, reason: 'Coralogix refused the tags API key (HTTP 403)' };
    const delivering = { ...base, lastSuccessAt: NOW - 1_000, tags };
    expect(headlineOf(delivering)).toEqual({ state: 'tags-waiting', waiting: 2, reason: tags.reason, lastSuccessAt: NOW - 1_000 });
    const catchingUp = { ...delivering, backlog: { ...base.backlog, count: 4, phase: 'draining' as const } };
    expect(headlineOf(catchingUp)).toMatchObject({ state: 'catching-up' });
    const failing = { ...delivering, lastFailure: { at: NOW, reason: 'HTTP 503' } };
    expect(headlineOf(failing)).toMatchObject({ state: 'failing' });
  });
});
