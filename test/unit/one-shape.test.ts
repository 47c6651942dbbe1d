import { transformEvent } from '../../src/core/entry';
import { decodeEvent } from '../../src/core/events';
import { OMITTED } from '../../src/core/privacy';
import { fixture, loadEventFixtures } from '../support/fixtures';

// Every payload of a known type becomes an entry of one shape, `{source_system, event, bitbucket,
// audit}`, whatever its fields hold: what could not be mapped is named in event.problems and the
// payload kept beside it. Variants of every fixture, generated from its paths: each value made
// null, removed, or given another JSON type.

const destination = { applicationName: 'prod', subsystemName: 'bb-{repository.slug}' };
const RECEIVED_AT = Date.parse('2026-11-21T00:00:00Z');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = ReadonlyArray<string | number>;

/** Every path of a payload, containers and leaves (eventType aside: it decides what the rest is). */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: Array<[string | number, Json]> = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  return entries.flatMap(([key, child]) =>
    prefix.length === 0 && key === 'eventType' ? [] : [[...prefix, key], ...pathsOf(child, [...prefix, key])],
  );
}

/** A value of another JSON type than `value`. */
function mistyped(value: Json): Json {
  if (typeof value === 'string') return 42;
  // A number becomes a boolean: a comment id may be a number or a string.
  if (typeof value === 'number') return true;
  if (typeof value === 'boolean' || value === null) return 'unexpected';
  return Array.isArray(value) ? { unexpected: true } : ['unexpected'];
}

function variant(payload: Json, path: Path, change: 'null' | 'missing' | 'mistyped'): Json {
  const copy = structuredClone(payload);
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, Json>)[key] as Json, copy) as Record<
    string | number,
    Json
  >;
  const key = path[path.length - 1] as string | number;
  if (change === 'missing') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = change === 'null' ? null : mistyped(parent[key] as Json);
  return copy;
}

// Fields the event model passes on without reading them: whatever they hold is not wrong.
const UNREAD = [/(^|\.)someFutureField(\.|$)/, /^changes\./];
// The identifiers an event is about: without them the event model reads nothing, and the entry
// has what the common fields give (`event.unrecognised`).
const IDENTIFIERS = new Set([
  'repository',
  'repository.uuid',
  'push',
  'push.ref',
  'buildStatus',
  'buildStatus.key',
  'commit',
  'commit.hash',
]);
for (const name of ['comment', 'comment.id', 'pullrequest', 'pullrequest.id', 'deployment', 'deployment.uuid']) IDENTIFIERS.add(name);

const CHANGES = ['null', 'missing', 'mistyped'] as const;

/** What is wrong with the entry of one variant, if anything. */
function faultsOf(eventType: string, path: string, change: (typeof CHANGES)[number], payload: Json): string[] {
  const faults: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) faults.push(`${path} ${change}: ${what}`);
  };
  let result: ReturnType<typeof transformEvent>;
  try {
    result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
  } catch (error) {
    return [`${path} ${change}: threw ${String(error)}`];
  }
  const text = JSON.parse(result.entry.text) as { source_system?: unknown } & Record<string, Record<string, unknown> | undefined>;
  const event = text.event ?? {};
  const problems = Array.isArray(event.problems) ? (event.problems as string[]) : [];
  check((text.source_system as unknown) === 'bitbucket', 'no source_system');
  check(event.type === eventType, `event.type is ${String(event.type)}`);
  check(typeof text.bitbucket === 'object' && text.bitbucket !== null, 'no bitbucket');
  check(typeof text.audit === 'object' && Array.isArray(text.audit?.affectedObjects), 'no audit');
  const read = !UNREAD.some((pattern) => pattern.test(path));
  if (change === 'mistyped' && read) {
    check(
      problems.some((problem) => problem.startsWith(`${path}: `)),
      `no problem names it (${problems.join('; ')})`,
    );
    check(JSON.stringify(text.forge_payload) === JSON.stringify(payload), 'the payload is not kept beside');
  }
  // Without an identifier the event model reads nothing: the common fields give what there is.
  const decoded = !(IDENTIFIERS.has(path) && read);
  check(decoded === (result.kind === 'event' && event.unrecognised === undefined), decoded ? 'not decoded' : 'decoded');
  if (!decoded) check(problems.length > 0, 'no problem listed');
  return faults;
}

const fixtures = loadEventFixtures().map((f) => ({ f, paths: pathsOf(f.payload as Json) }));

describe('one shape for every entry', () => {
  it.each(fixtures.map(({ f, paths }) => [f.name, paths.length * CHANGES.length, f, paths] as const))(
    '%s: %i variants, each an entry of the one shape',
    (_name, _count, f, paths) => {
      const faults = paths.flatMap((path) =>
        CHANGES.flatMap((change) => faultsOf(f.eventType, path.join('.'), change, variant(f.payload as Json, path, change))),
      );
      expect(faults).toEqual([]);
    },
  );
});

describe('a payload the event model reads only in part', () => {
  it('maps a tag push whose optional date, message and author are null, with no problem', () => {
    const payload = fixture('push.repository.tag');
    Object.assign(payload.push as object, { date: null, message: null, author: null });
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    const text = JSON.parse(result.entry.text);
    expect(result).toMatchObject({ kind: 'event', problems: [] });
    expect(text.event).not.toHaveProperty('problems');
    expect(text).not.toHaveProperty('forge_payload');
    expect(text.bitbucket.push.changes[0]).toMatchObject({ new: { type: 'tag', name: 'v1.4.0', target: { type: 'commit' } }, old: null });
  });

  it('drops only the value it cannot read, names it, and keeps the payload beside it', () => {
    const payload = fixture('push.repository');
    (payload.push as { commits: Array<Record<string, unknown>> }).commits[1]!.date = 20261109;
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    const text = JSON.parse(result.entry.text);
    expect(text.event.problems).toEqual(['push.commits.1.date: Expected string']);
    expect(text.bitbucket.push.changes[0].commits[1]).toMatchObject({ hash: 'cfc4f065cb2ee06f5b01ce867ace3b83ea53ade7' });
    expect(text.bitbucket.push.changes[0].commits[1]).not.toHaveProperty('date');
    expect(text.forge_payload).toEqual(payload);
    expect(result.entry.severity).toBe(3);
  });

  it('drops an element of a list it cannot read, and keeps the others', () => {
    const payload = fixture('push.repository');
    (payload.push as { commits: unknown[] }).commits[0] = 'not a commit';
    const text = JSON.parse(transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT }).entry.text);
    expect(text.event.problems).toEqual(['push.commits.0: Expected object']);
    expect(text.bitbucket.push.changes[0].commits).toHaveLength(2);
  });

  it('keeps the payload as delivered: what decoding drops is dropped from a copy', () => {
    const payload = fixture('created.pullrequest');
    (payload.pullrequest as Record<string, unknown>).title = 7;
    const before = structuredClone(payload);
    const decoded = decodeEvent(payload);
    expect(decoded).toMatchObject({ ok: true, problems: ['pullrequest.title: Expected object'] });
    expect(payload).toEqual(before);
  });

  it('names a required value that is missing once, not each parent it takes with it', () => {
    const payload = fixture('push.repository');
    delete (payload.push as Record<string, unknown>).ref;
    expect(decodeEvent(payload)).toEqual({ ok: false, eventType: 'avi:bitbucket:push:repository', problems: ['push.ref: Is required'] });
  });

  it('gives an event without its identifier what can be read: repository, workspace, project, actor', () => {
    const payload = fixture('created.pullrequest');
    (payload.pullrequest as Record<string, unknown>).id = '42';
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    const text = JSON.parse(result.entry.text);
    expect(result).toMatchObject({ kind: 'unrecognised', problems: ['pullrequest.id: Expected number'] });
    expect(result.entry).toMatchObject({
      severity: 4,
      className: 'avi:bitbucket:created:pullrequest',
      category: 'pullrequest',
      subsystemName: 'bb-payments-api',
    });
    expect(text.event).toMatchObject({ type: 'avi:bitbucket:created:pullrequest', family: 'pullrequest', unrecognised: true });
    expect(text.bitbucket).toMatchObject({
      repository: {
        type: 'repository',
        uuid: '{685d9cf5-8e84-47f4-bbbf-06fd1e527f47}',
        slug: 'payments-api',
        workspace: { type: 'workspace' },
      },
      actor: { account_id: '47715e05872dd4f112f819af' },
      pullrequest: { id: '42' },
    });
    expect(text.audit).toMatchObject({ type: { category: 'Pull requests' }, author: { type: 'user', id: '47715e05872dd4f112f819af' } });
    expect(text.forge_payload).toEqual(payload);
  });

  it('gives an unknown event type a bitbucket key too', () => {
    const payload = { ...fixture('created.repository'), eventType: 'avi:bitbucket:forked:repository', fork: { uuid: '{f}' } };
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    const text = JSON.parse(result.entry.text);
    expect(result.kind).toBe('unrecognised');
    expect(text.event).toMatchObject({ type: 'avi:bitbucket:forked:repository', family: 'unknown', unrecognised: true });
    expect(text.bitbucket).toMatchObject({
      repository: { uuid: '{9414a356-8eba-4357-b6aa-504eb8947b12}' },
      actor: { type: 'user' },
      fork: { uuid: '{f}' },
    });
    expect(text.audit.type).toEqual({ category: 'Unknown', action: 'Unrecognised Bitbucket event', area: 'unknown', level: 'unknown' });
  });

  it.each([null, 'text', 42, [], {}])('gives even %p a bitbucket key, without throwing', (payload) => {
    const text = JSON.parse(transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT }).entry.text);
    expect(text).toMatchObject({
      source_system: 'bitbucket',
      event: { type: 'unknown', unrecognised: true },
      bitbucket: { repository: { type: 'repository' } },
    });
  });

  it('omits the free text of the payload kept beside, when the admin asks', () => {
    const payload = fixture('push.repository.tag');
    (payload.push as Record<string, unknown>).created = 'yes';
    const text = JSON.parse(transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT, omitFreeText: true }).entry.text);
    expect(text.forge_payload.push.message).toEqual({ truncated: false, value: OMITTED });
    expect(text.bitbucket.push.changes[0].new.target.message).toBe(OMITTED);
  });

  it('never forwards the address of a commit author, in the body or the payload kept beside', () => {
    const payload = fixture('push.repository');
    const commits = (payload.push as { commits: Array<Record<string, Record<string, unknown>>> }).commits;
    commits[0]!.author!.raw = 'Jane Doe <jane.doe@example.com>';
    commits[1]!.date = 5 as never;
    const result = transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT });
    const text = JSON.parse(result.entry.text);
    expect(text.bitbucket.push.changes[0].commits[0].author).not.toHaveProperty('raw');
    expect(text.forge_payload.push.commits[0].author.raw).toBe('Jane Doe <[email removed]>');
    expect(result.entry.text).not.toContain('jane.doe@example.com');
  });

  it('links what it can when a name holds text no URL can (a lone surrogate)', () => {
    const payload = fixture('push.repository');
    (payload.push as Record<string, unknown>).ref = 'main\ud800';
    (payload.actor as Record<string, unknown>).uuid = '{\udc00}';
    const enrichment = {
      repository: {
        links: { html: { href: 'https://bitbucket.org/w/r' }, self: { href: 'https://api.bitbucket.org/2.0/repositories/w/r' } },
      },
      unresolved: [],
    };
    const text = JSON.parse(transformEvent(payload, { destination, receivedAtMs: RECEIVED_AT, enrichment }).entry.text);
    expect(text.bitbucket.push.changes[0].new).not.toHaveProperty('links');
    expect(text.bitbucket.push.changes[0].new.target.links.html.href).toBe(
      'https://bitbucket.org/w/r/commits/0e72871f4810b169a040b32b0af661c4be6a4248',
    );
  });

  it('reads thousands of unreadable values in one pass each, listing the first few', () => {
    const payload = fixture('push.repository');
    const commit = (payload.push as { commits: Array<Record<string, unknown>> }).commits[0]!;
    (payload.push as { commits: unknown[] }).commits = Array.from({ length: 5_000 }, (_, i) => ({ ...commit, date: i }));
    const decoded = decodeEvent(payload);
    expect(decoded.ok).toBe(true);
    expect(decoded.problems).toHaveLength(11);
    expect(decoded.problems[10]).toBe('… and 4990 more');
  });
});
