import { catalogEntry, EVENT_TYPES } from '../../src/core/catalog';
import { isForwarded, parseEventTime, transformEvent } from '../../src/core/entry';
import { fixture } from '../support/fixtures';

const destination = { applicationName: 'prod', subsystemName: 'bitbucket' };
const RECEIVED_AT = Date.parse('2026-11-21T00:00:00Z');

describe('event time', () => {
  it('keeps microseconds in the millisecond timestamp and nanoseconds in hiResTimestamp', () => {
    expect(parseEventTime('2026-11-09T11:53:19.811204Z')).toEqual({ ms: Date.parse('2026-11-09T11:53:19.811Z') + 0.204, nanos: `${Date.parse('2026-11-09T11:53:19Z') / 1000}811204000` });
  });

  it('keeps nanoseconds', () => {
    expect(parseEventTime('2026-11-09T12:14:47.018336902Z')?.nanos).toBe(`${Date.parse('2026-11-09T12:14:47Z') / 1000}018336902`);
  });

  it('honours an offset', () => {
    expect(parseEventTime('2026-11-09T11:21:37.811472+00:00')?.ms).toBeCloseTo(Date.parse('2026-11-09T11:21:37.811Z') + 0.472, 6);
    expect(parseEventTime('2026-11-09T13:21:37+02:00')?.ms).toBe(Date.parse('2026-11-09T11:21:37Z'));
  });

  it.each([undefined, null, '', 'yesterday', '2026-11-09'])('gives up on %p', (value) => {
    expect(parseEventTime(value)).toBeUndefined();
  });
});

describe('transforming an event into a Coralogix entry', () => {
  it('fills every field Coralogix filters on', () => {
    const result = transformEvent(fixture('push.repository.forced'), { destination, receivedAtMs: RECEIVED_AT });
    expect(result.kind).toBe('event');
    expect(result.entry).toMatchObject({
      applicationName: 'prod',
      subsystemName: 'bitbucket',
      severity: 4,
      category: 'repository',
      className: 'avi:bitbucket:push:repository',
      methodName: 'Repository pushed',
    });
    const text = JSON.parse(result.entry.text);
    expect(text).toMatchObject({ source_system: 'bitbucket', event: { id: result.eventId, type: 'avi:bitbucket:push:repository' } });
  });

  it("uses the event's own time", () => {
    const payload = fixture('created.repository');
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    expect(Math.floor(result.entry.timestamp ?? 0)).toBe(Date.parse(String(payload.timestamp).replace(/(\.\d{3})\d*/, '$1')));
  });

  it('uses the receive time when the event has none', () => {
    const payload = fixture('created.repository');
    delete payload.timestamp;
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    expect(result.entry.timestamp).toBe(RECEIVED_AT);
    expect(result.entry).not.toHaveProperty('hiResTimestamp');
  });

  it('forwards an unrecognised payload raw, marked, with its problems', () => {
    const payload = { eventType: 'avi:bitbucket:forked:repository', repository: { uuid: '{r}' }, timestamp: '2026-11-09T11:53:19Z' };
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    expect(result.kind).toBe('unrecognised');
    expect(result.entry).toMatchObject({ severity: 4, className: 'avi:bitbucket:forked:repository', timestamp: Date.parse('2026-11-09T11:53:19Z') });
    const text = JSON.parse(result.entry.text);
    expect(text).toMatchObject({ source_system: 'bitbucket', event: { unrecognised: true }, forge_payload: payload });
    expect(text.event.problems.length).toBeGreaterThan(0);
  });

  it('forwards even a payload that is not an object', () => {
    const result = transformEvent('garbage', { destination, receivedAtMs: RECEIVED_AT });
    expect(result).toMatchObject({ kind: 'unrecognised', eventType: 'unknown' });
    expect(JSON.parse(result.entry.text).forge_payload).toBe('garbage');
  });
});

describe('event selection', () => {
  const full = { REPOSITORY: 'FULL', PULL_REQUEST: 'FULL', PIPELINES: 'FULL' } as const;

  it('forwards selected events only', () => {
    expect(isForwarded('avi:bitbucket:push:repository', { forwardedEvents: ['avi:bitbucket:push:repository'], coverage: full })).toBe(true);
    expect(isForwarded('avi:bitbucket:created:repository', { forwardedEvents: ['avi:bitbucket:push:repository'], coverage: full })).toBe(false);
  });

  it('always forwards types it does not know', () => {
    expect(isForwarded('avi:bitbucket:forked:repository', { forwardedEvents: [], coverage: { ...full, REPOSITORY: 'OFF' } })).toBe(true);
  });

  it.each([
    ['OFF', []],
    ['BASE', ['avi:bitbucket:created:repository', 'avi:bitbucket:updated:repository', 'avi:bitbucket:deleted:repository']],
    ['ADVANCED', ['avi:bitbucket:created:repository', 'avi:bitbucket:updated:repository', 'avi:bitbucket:push:repository', 'avi:bitbucket:deleted:repository']],
    ['FULL', ['avi:bitbucket:created:repository', 'avi:bitbucket:updated:repository', 'avi:bitbucket:push:repository', 'avi:bitbucket:deleted:repository', 'avi:bitbucket:created:commit-comment']],
  ] as const)('forwards up to the area level: repository area at %s', (setting, expected) => {
    const choice = { forwardedEvents: [...EVENT_TYPES], coverage: { ...full, REPOSITORY: setting } };
    expect(EVENT_TYPES.filter((type) => catalogEntry(type).area === 'REPOSITORY' && isForwarded(type, choice))).toEqual(expected);
  });

  it('leaves other areas alone', () => {
    const choice = { forwardedEvents: [...EVENT_TYPES], coverage: { ...full, REPOSITORY: 'OFF' } } as const;
    expect(isForwarded('avi:bitbucket:fulfilled:pullrequest', choice)).toBe(true);
    expect(isForwarded('avi:bitbucket:completed:deployment', choice)).toBe(true);
  });
});
