import { decodeEvent } from '../../src/core/events';
import { decodeRetryMessage } from '../../src/core/pending';
import { saveSettingsInput } from '../../src/shared/contract';
import { defaultStoredSettings } from '../../src/core/settings';
import { oneOf, v, validate } from '../../src/core/validation';
import { fixture } from '../support/fixtures';

describe('validation issues in words', () => {
  const shape = v.object({ name: v.string(), size: v.number().optional(), kind: v.union(v.literal('a'), v.literal('b')) });

  it.each([
    ['a missing field', { kind: 'a' }, 'name', 'Is required'],
    ['a wrong type', { name: 1, kind: 'a' }, 'name', 'Expected string'],
    ['an unexpected literal', { name: 'x', kind: 'c' }, 'kind', 'Expected "a", "b"'],
    ['an unexpected field', { name: 'x', kind: 'a', extra: true }, '', 'Unexpected field extra'],
  ])('names %s with its path', (_what, input, path, message) => {
    const result = validate(shape, input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual({ path: path === '' ? [] : [path], message });
  });

  it('lists at most five choices of a long literal list', () => {
    const letters = ['a', 'b', 'c', 'd', 'e', 'f', 'g'] as const;
    const result = validate(v.union(...letters.map((letter) => v.literal(letter))), 'z');
    expect(result).toEqual({ ok: false, issues: [{ path: [], message: 'Expected one of "a", "b", "c", "d", "e", …' }] });
  });

  it('names the field of a fixed list of choices', () => {
    expect(validate(oneOf(['EU1', 'US1'], 'Region'), 'EU9')).toEqual({
      ok: false,
      issues: [{ path: [], message: 'Region is not one of the offered choices' }],
    });
    expect(validate(oneOf(['EU1', 'US1'], 'Region'), 'US1')).toEqual({ ok: true, value: 'US1' });
  });

  it('refuses unknown keys from the page, drops them from what the app stored', () => {
    const input = { settings: { ...defaultStoredSettings(), later: 1 } };
    expect(validate(saveSettingsInput, input).ok).toBe(false);
    const stripped = validate(saveSettingsInput, input, 'strip');
    expect(stripped).toMatchObject({ ok: true });
    expect(stripped.ok && 'later' in stripped.value.settings).toBe(false);
  });
});

describe('event decoding', () => {
  it('keeps the payload as received: unknown fields stay, nothing is copied', () => {
    const payload = { ...fixture('push.repository.forced'), addedByBitbucketLater: { deep: [1, 2] } };
    const decoded = decodeEvent(payload);
    expect(decoded.ok && decoded.event).toBe(payload);
  });

  it('reports the field of the branch its eventType picks', () => {
    const payload = fixture('push.repository.forced') as { push: Record<string, unknown> };
    const decoded = decodeEvent({ ...payload, push: { ...payload.push, ref: 42 } });
    expect(decoded).toMatchObject({ ok: false, eventType: 'avi:bitbucket:push:repository', problems: ['push.ref: Expected string'] });
  });

  it('reports an eventType it does not know', () => {
    const decoded = decodeEvent({ eventType: 'avi:bitbucket:forked:repository', repository: { uuid: '{r}' } });
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.problems[0]).toMatch(/^eventType: Expected one of "avi:bitbucket:/);
  });
});

describe('retry queue messages', () => {
  const pending = {
    eventId: 'e1',
    eventType: 'avi:bitbucket:push:repository',
    entry: { applicationName: 'a', subsystemName: 's', text: '{}' },
    attempts: 1,
    firstAttemptAt: 1,
    lastAttemptAt: 1,
  };

  it('reads both shapes, and a field a later version added', () => {
    expect(decodeRetryMessage({ ...pending, addedLater: true })).toEqual({ ok: true, value: pending });
    expect(decodeRetryMessage({ kind: 'deferred-event', payload: { x: 1 }, receivedAt: 5 })).toEqual({
      ok: true,
      value: { kind: 'deferred-event', payload: { x: 1 }, receivedAt: 5 },
    });
  });

  it('reports a broken message against the shape it meant', () => {
    expect(decodeRetryMessage({ kind: 'deferred-event', payload: {} })).toEqual({
      ok: false,
      issues: [{ path: ['receivedAt'], message: 'Is required' }],
    });
    expect(decodeRetryMessage({ ...pending, attempts: 'one' })).toEqual({
      ok: false,
      issues: [{ path: ['attempts'], message: 'Expected number' }],
    });
  });
});
