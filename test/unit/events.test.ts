import { decodeEvent } from '../../src/core/events';
import { fixture, loadEventFixtures } from '../support/fixtures';

describe('decoding Forge Bitbucket events', () => {
  it.each(loadEventFixtures().map((f) => [f.name, f] as const))('decodes the %s fixture', (_name, f) => {
    const decoded = decodeEvent(f.payload);
    expect(decoded).toMatchObject({ ok: true, event: { eventType: f.eventType } });
  });

  it('keeps unknown extra fields rather than stripping them', () => {
    const payload = fixture('created.commit-comment');
    const decoded = decodeEvent(payload);
    if (!decoded.ok) throw new Error('expected the fixture to decode');
    expect(decoded.event).toHaveProperty('someFutureField', payload.someFutureField);
  });

  it('accepts a payload without any optional field', () => {
    const decoded = decodeEvent({ eventType: 'avi:bitbucket:deleted:repository', repository: { uuid: '{r}' } });
    expect(decoded.ok).toBe(true);
  });

  it('accepts null before/after on a push, as older payloads carry', () => {
    const payload = fixture('push.repository');
    (payload.push as Record<string, unknown>).before = null;
    expect(decodeEvent(payload).ok).toBe(true);
  });

  it('reports an unknown event type without throwing', () => {
    const decoded = decodeEvent({ eventType: 'avi:bitbucket:forked:repository', repository: { uuid: '{r}' } });
    expect(decoded).toMatchObject({ ok: false, eventType: 'avi:bitbucket:forked:repository' });
  });

  it('names the missing field of a malformed event', () => {
    const payload = fixture('created.pullrequest');
    delete payload.pullrequest;
    const decoded = decodeEvent(payload);
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.problems.join(' ')).toContain('pullrequest');
  });

  it.each([null, 'text', 42, [], {}])('refuses %p without throwing', (payload) => {
    expect(decodeEvent(payload)).toMatchObject({ ok: false });
  });
});
