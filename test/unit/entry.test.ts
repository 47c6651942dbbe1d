import { catalogEntry, EVENT_TYPES } from '../../src/core/catalog';
import { transformEvent } from '../../src/core/entry';
import { parseEventTime } from '../../src/core/event-time';
import { isForwarded } from '../../src/core/forwarding';
import { EMAIL_REPLACEMENT, LONGEST_ADDRESS, scannedSoFar } from '../../src/core/privacy';
import { fixture } from '../support/fixtures';

const destination = { applicationName: 'prod', subsystemName: 'bitbucket' };
const RECEIVED_AT = Date.parse('2026-11-21T00:00:00Z');

describe('event time', () => {
  it('keeps microseconds in the millisecond timestamp and nanoseconds in hiResTimestamp', () => {
    expect(parseEventTime('2026-11-09T11:53:19.811204Z')).toEqual({
      ms: Date.parse('2026-11-09T11:53:19.811Z') + 0.204,
      nanos: `${Date.parse('2026-11-09T11:53:19Z') / 1000}811204000`,
    });
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
    expect(result.entry).toMatchObject({
      severity: 4,
      className: 'avi:bitbucket:forked:repository',
      timestamp: Date.parse('2026-11-09T11:53:19Z'),
    });
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
    expect(isForwarded('avi:bitbucket:created:repository', { forwardedEvents: ['avi:bitbucket:push:repository'], coverage: full })).toBe(
      false,
    );
  });

  it('always forwards types it does not know', () => {
    expect(isForwarded('avi:bitbucket:forked:repository', { forwardedEvents: [], coverage: { ...full, REPOSITORY: 'OFF' } })).toBe(true);
  });

  it.each([
    ['OFF', []],
    ['BASE', ['avi:bitbucket:created:repository', 'avi:bitbucket:updated:repository', 'avi:bitbucket:deleted:repository']],
    [
      'ADVANCED',
      [
        'avi:bitbucket:created:repository',
        'avi:bitbucket:updated:repository',
        'avi:bitbucket:push:repository',
        'avi:bitbucket:deleted:repository',
      ],
    ],
    [
      'FULL',
      [
        'avi:bitbucket:created:repository',
        'avi:bitbucket:updated:repository',
        'avi:bitbucket:push:repository',
        'avi:bitbucket:deleted:repository',
        'avi:bitbucket:created:commit-comment',
      ],
    ],
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

describe('no email address in any string, key or name of an entry', () => {
  const ADDRESS = /[\p{L}\p{M}\p{Nd}._%+-]+@[\p{L}\p{M}\p{Nd}-]+(?:\.[\p{L}\p{M}\p{Nd}-]+)*\.\p{L}{2}/u;
  const repositoryUuid = '{685d9cf5-8e84-47f4-bbbf-06fd1e527f47}';

  it('scrubs an address that a subsystem template renders from the event', () => {
    const result = transformEvent(fixture('push.repository'), {
      destination: { applicationName: 'prod', subsystemName: 'bb-{repository.name}' },
      receivedAtMs: RECEIVED_AT,
      enrichment: { repository: { uuid: repositoryUuid, name: 'josé.garcía@correo.es' }, unresolved: [] },
    });
    expect(result.entry.subsystemName).toBe(`bb-${EMAIL_REPLACEMENT}`);
  });

  it('scrubs an address that a long template value would have had cut in half', () => {
    const result = transformEvent(fixture('push.repository'), {
      destination: { applicationName: 'prod', subsystemName: 'bb-{repository.name}' },
      receivedAtMs: RECEIVED_AT,
      enrichment: { repository: { uuid: repositoryUuid, name: `${'x'.repeat(80)} jane.doe@example.com` }, unresolved: [] },
    });
    expect(result.entry.subsystemName).not.toContain('jane');
  });

  it('scrubs the application name, a static subsystem name, and the type of an unknown event', () => {
    const payload = { eventType: 'avi:bitbucket:jane@example.com', repository: { uuid: '{r}' } };
    const result = transformEvent(payload, {
      destination: { applicationName: 'ops@corp.example', subsystemName: 'alerts@corp.example' },
      receivedAtMs: RECEIVED_AT,
    });
    expect(result.entry).toMatchObject({
      applicationName: EMAIL_REPLACEMENT,
      subsystemName: EMAIL_REPLACEMENT,
      className: `avi:bitbucket:${EMAIL_REPLACEMENT}`,
    });
    expect(result.eventType).toBe(`avi:bitbucket:${EMAIL_REPLACEMENT}`);
    expect(JSON.stringify(result)).not.toMatch(ADDRESS);
  });

  it('scrubs an address used as a payload key', () => {
    const payload = fixture('created.repository');
    (payload.repository as Record<string, unknown>)['andré@example.fr'] = 'admin';
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    expect(JSON.parse(result.entry.text).bitbucket.repository).toMatchObject({ [EMAIL_REPLACEMENT]: 'admin' });
    expect(result.entry.text).not.toMatch(ADDRESS);
  });

  it('scrubs an address used as a key from the problems of a payload it cannot fully read', () => {
    const payload = fixture('updated.repository');
    payload.changes = { 'jane@example.com': { old: 5 } };
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    expect(result.problems.join(' ')).toContain(`changes.${EMAIL_REPLACEMENT}.old`);
    expect(JSON.parse(result.entry.text).event.problems).toEqual(result.problems);
    expect(JSON.stringify(result)).not.toMatch(ADDRESS);
  });

  it('scrubs an address used as a key from the problems of a payload it cannot read at all', () => {
    const payload = fixture('created.pullrequest');
    payload.pullrequest = { 'jane@example.com': 1 };
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    expect(result.kind).toBe('unrecognised');
    expect(JSON.stringify(result)).not.toMatch(ADDRESS);
  });

  it('cuts a description that will be trimmed before scanning it, so scanning costs what is kept', () => {
    const payload = fixture('updated.repository');
    // Quadratic for a backtracking expression: one unbroken token with an "@" and no domain.
    (payload.changes as { description: { new: { value: string } } }).description.new.value = `${'Q'.repeat(200_000)}@`;
    const before = scannedSoFar();
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    const scanned = scannedSoFar() - before;
    expect(JSON.parse(result.entry.text).trimmed.strings_shortened).toEqual([
      'bitbucket.changes.description.new',
      'audit.changedValues.1.to',
    ]);
    // The description appears twice (record and audit); each copy is scanned up to the cut plus the
    // longest address, not over its 200,000 characters.
    expect(scanned).toBeLessThan(4 * 2 * (1024 + LONGEST_ADDRESS) + result.entry.text.length);
  });

  it('removes an address that straddles the cut of a trimmed description whole', () => {
    const payload = fixture('updated.repository');
    (payload.changes as { description: { new: { value: string } } }).description.new.value =
      `${'x'.repeat(1010)} jane.doe@example.com ${'y'.repeat(200_000)}`;
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    const text = JSON.parse(result.entry.text);
    expect(text.trimmed.strings_shortened).toContain('bitbucket.changes.description.new');
    expect(result.entry.text).not.toContain('jane');
    expect(text.bitbucket.changes.description.new).toMatch(/^x{1010} \[email remove…$/);
  });
});
