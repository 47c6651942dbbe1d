import { decodeEvent } from '../../src/core/events';
import { transformEvent } from '../../src/core/entry';
import { boundDepth, MAX_PAYLOAD_DEPTH, NESTED_TOO_DEEP } from '../../src/core/json';
import { fixture } from '../support/fixtures';

const destination = { applicationName: 'prod', subsystemName: 'bitbucket-{repository.slug}' };
const RECEIVED_AT = Date.parse('2026-11-21T00:00:00Z');
const LEVELS = 10_000;

function nestedObject(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i += 1) value = { a: value };
  return value;
}

function nestedArray(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i += 1) value = [value];
  return value;
}

/** How many objects and arrays deep a value goes, measured without recursion. */
function depthOf(root: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return deepest;
}

describe('bounding how deep a payload nests', () => {
  it('returns a payload within the bound as it is, uncopied', () => {
    const payload = fixture('push.repository');
    expect(boundDepth(payload)).toEqual({ value: payload });
    expect(boundDepth(payload).value).toBe(payload);
  });

  it('replaces what lies deeper than the bound with a marker, says where, and leaves the payload alone', () => {
    const payload = { keep: 'me', deep: nestedObject(MAX_PAYLOAD_DEPTH + 5) };
    const { value, cut } = boundDepth(payload);
    expect(depthOf(value)).toBe(MAX_PAYLOAD_DEPTH);
    expect(cut).toEqual({
      max_depth: MAX_PAYLOAD_DEPTH,
      count: 1,
      paths: [['deep', ...Array<string>(MAX_PAYLOAD_DEPTH - 1).fill('a')].join('.')],
    });
    expect(JSON.stringify(value)).toContain(`"${NESTED_TOO_DEEP}"`);
    expect((value as { keep: string }).keep).toBe('me');
    expect(depthOf(payload)).toBe(MAX_PAYLOAD_DEPTH + 6);
  });

  it('keeps a payload exactly at the bound whole', () => {
    const payload = nestedObject(MAX_PAYLOAD_DEPTH);
    expect(boundDepth(payload).value).toBe(payload);
  });
});

describe('transforming a payload nested 10,000 levels deep', () => {
  // JSON.stringify recurses; watching every call proves none of them saw the deep structure.
  let deepestSerialized = 0;
  let stringify: jest.SpyInstance;
  beforeEach(() => {
    deepestSerialized = 0;
    const original = JSON.stringify.bind(JSON);
    stringify = jest.spyOn(JSON, 'stringify').mockImplementation((...args: Parameters<typeof JSON.stringify>) => {
      deepestSerialized = Math.max(deepestSerialized, depthOf(args[0]));
      return original(...args);
    });
  });
  afterEach(() => stringify.mockRestore());

  function expectForwarded(result: ReturnType<typeof transformEvent>) {
    const text = JSON.parse(result.entry.text) as { event: { nested_too_deep?: { count: number; max_depth: number; paths: string[] } } };
    expect(result.entry.text).toContain(NESTED_TOO_DEEP);
    expect(text.event.nested_too_deep).toMatchObject({ count: 1, max_depth: MAX_PAYLOAD_DEPTH });
    expect(depthOf(text)).toBeLessThanOrEqual(MAX_PAYLOAD_DEPTH + 5);
    expect(deepestSerialized).toBeLessThanOrEqual(MAX_PAYLOAD_DEPTH + 5);
    return text;
  }

  it('forwards an object nested inside a field of a known event type', () => {
    const payload = fixture('updated.repository');
    (payload.repository as Record<string, unknown>).extra = nestedObject(LEVELS);
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    expect(result.kind).toBe('event');
    const text = expectForwarded(result);
    expect(text.event.nested_too_deep?.paths[0]).toMatch(/^repository\.extra\.a\.a\./);
    expect(result.entry.subsystemName).toBe('bitbucket-payments-api');
  });

  it('forwards an array nested inside an extra field of a known event type', () => {
    const payload = fixture('push.repository');
    payload.deep = nestedArray(LEVELS);
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    expect(result.kind).toBe('event');
    expect(expectForwarded(result).event.nested_too_deep?.paths[0]).toMatch(/^deep\.0\.0\./);
  });

  it('forwards it when the caller decoded the uncut payload first, as the trigger does', () => {
    const payload = fixture('push.repository');
    payload.deep = nestedArray(LEVELS);
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT, decoded: decodeEvent(payload), omitFreeText: true });
    expect(result.kind).toBe('event');
    expectForwarded(result);
  });

  it('forwards an unknown event type nested that deep, with the cut among its problems', () => {
    const payload = {
      eventType: 'avi:bitbucket:forked:repository',
      repository: { uuid: '{r}' },
      deep: nestedObject(LEVELS),
      list: nestedArray(LEVELS),
    };
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT, omitFreeText: true });
    expect(result.kind).toBe('unrecognised');
    if (result.kind !== 'unrecognised') return;
    const text = JSON.parse(result.entry.text) as { event: { nested_too_deep: { count: number; paths: string[] } } };
    expect(text.event.nested_too_deep).toMatchObject({
      count: 2,
      paths: [expect.stringMatching(/^deep\.a\./), expect.stringMatching(/^list\.0\./)],
    });
    expect(result.problems.at(-1)).toMatch(/nested deeper than 64 levels in 2 place\(s\)/);
    expect(deepestSerialized).toBeLessThanOrEqual(MAX_PAYLOAD_DEPTH + 5);
  });

  it('gives the same event id to the same deep payload delivered twice', () => {
    const first = fixture('push.repository');
    first.deep = nestedObject(LEVELS);
    const again = fixture('push.repository');
    again.deep = nestedObject(LEVELS);
    expect(transformEvent(first, { destination, receivedAtMs: RECEIVED_AT }).eventId).toBe(
      transformEvent(again, { destination, receivedAtMs: RECEIVED_AT }).eventId,
    );
  });
});
