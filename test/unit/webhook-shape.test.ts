import { readFileSync } from 'node:fs';
import path from 'node:path';
import { enrichmentRequestOf, pick, REST_SHAPES, type Enrichment } from '../../src/core/enrichment';
import { transformEvent } from '../../src/core/entry';
import { decodeEvent, type BitbucketEvent } from '../../src/core/events';
import { bitbucketRestFixtures, loadEventFixtures } from '../support/fixtures';

// Every enriched fixture entry held against the paths Coralogix users parse: the leaf paths of the
// example log of Coralogix's own Bitbucket integration (read from the shared file, as published),
// and the Bitbucket Cloud webhook paths of pushes and pull requests that alerts link to.

const EXAMPLE_LOG = path.resolve(__dirname, '../../../shared/coralogix-bitbucket-example-log.json');
const destination = { applicationName: 'prod', subsystemName: 'bitbucket' };

type Value = unknown;

function jsonType(value: Value): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** Leaf paths with their JSON types; an array is walked at index 0, or is itself a leaf when empty. */
function leafPaths(value: Value, prefix = ''): Array<[string, string]> {
  const children: Array<[string, Value]> = Array.isArray(value)
    ? value.slice(0, 1).map((item) => ['0', item])
    : value !== null && typeof value === 'object'
      ? Object.entries(value)
      : [];
  if (children.length === 0) return [[prefix, jsonType(value)]];
  return children.flatMap(([key, child]) => leafPaths(child, prefix === '' ? key : `${prefix}.${key}`));
}

function at(value: Value, dotted: string): Value {
  let node = value;
  for (const key of dotted.split('.')) node = node !== null && typeof node === 'object' ? (node as Record<string, Value>)[key] : undefined;
  return node;
}

/** The REST answers the platform would fetch for this event, kept as it keeps them. */
function enrichmentFor(event: BitbucketEvent): Enrichment {
  const routes = bitbucketRestFixtures();
  const request = enrichmentRequestOf(event);
  const repository = `/2.0/repositories/${request.workspaceUuid}/${request.repositoryUuid}`;
  const answer = (route: string | undefined) => (route === undefined ? undefined : routes[route]);
  const enrichment: Enrichment = { unresolved: [] };
  const found = {
    repository: answer(repository),
    actor: answer(request.actorId === undefined ? undefined : `/2.0/users/${request.actorId}`),
    pullrequest: answer(request.pullRequestId === undefined ? undefined : `${repository}/pullrequests/${request.pullRequestId}`),
  };
  for (const name of ['repository', 'actor', 'pullrequest'] as const) {
    if (found[name] === undefined) continue;
    if (name === 'repository' && found[name] === undefined) throw new Error(`no REST answer for ${repository}`);
    Object.assign(enrichment, { [name]: pick(found[name], REST_SHAPES[name]) });
  }
  return enrichment;
}

interface Enriched {
  name: string;
  event: BitbucketEvent;
  lookedUpPullRequest: boolean;
  bitbucket: Record<string, unknown>;
}

const enriched: Enriched[] = loadEventFixtures().map((f) => {
  const decoded = decodeEvent(f.payload);
  if (!decoded.ok) throw new Error(`${f.name} does not decode`);
  const enrichment = enrichmentFor(decoded.event);
  const result = transformEvent(f.payload, { destination, receivedAtMs: 0, enrichment });
  const text = JSON.parse(result.entry.text) as { bitbucket: Record<string, unknown> };
  return {
    name: f.name,
    event: decoded.event,
    lookedUpPullRequest: enrichment.pullrequest !== undefined,
    bitbucket: text.bitbucket,
  };
});

/** The paths of `expected` that `bitbucket` lacks or holds with another JSON type. */
function misses(bitbucket: Value, expected: ReadonlyArray<readonly [string, string]>): string[] {
  return expected.flatMap(([dotted, type]) => {
    const actual = at(bitbucket, dotted);
    if (actual === undefined) return [`${dotted}: missing`];
    return jsonType(actual) === type ? [] : [`${dotted}: ${jsonType(actual)}, not ${type}`];
  });
}

function entry(name: string): Enriched {
  const found = enriched.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return found;
}

describe("the example log of Coralogix's Bitbucket integration", () => {
  const example = JSON.parse(readFileSync(EXAMPLE_LOG, 'utf8')) as { source_system: string; bitbucket: Value };
  const examplePaths = leafPaths(example.bitbucket);

  it('has the 42 leaf paths parsing rules are written for', () => {
    expect(examplePaths).toHaveLength(42);
  });

  it(`is matched path for path, type for type (${examplePaths.length}/${examplePaths.length}) by a repository update in a personal workspace`, () => {
    const { bitbucket } = entry('updated.repository.personal');
    expect(misses(bitbucket, examplePaths)).toEqual([]);
  });

  it('is matched by a repository update in a shared workspace, whose owner is a team (username, no account id or nickname)', () => {
    const { bitbucket } = entry('updated.repository');
    expect(misses(bitbucket, examplePaths)).toEqual(['repository.owner.nickname: missing', 'repository.owner.account_id: missing']);
    expect(at(bitbucket, 'repository.owner')).toMatchObject({ type: 'team', username: 'acme-payments' });
  });

  it.each(enriched.map((e) => [e.name, e] as const))('%s carries the repository and actor paths of the example', (_name, e) => {
    const shared = examplePaths.filter(
      ([dotted]) =>
        (dotted.startsWith('repository.') && !dotted.startsWith('repository.owner.')) ||
        (dotted.startsWith('actor.') && 'actor' in e.event),
    );
    expect(misses(e.bitbucket, shared)).toEqual([]);
  });
});

// Bitbucket Cloud "Event payloads": repo:push's push.changes[] and the Pull Request entity.
const PUSH_PATHS = [
  ['push.changes.0.new.type', 'string'],
  ['push.changes.0.new.name', 'string'],
  ['push.changes.0.new.links.html.href', 'string'],
  ['push.changes.0.new.links.self.href', 'string'],
  ['push.changes.0.new.target.type', 'string'],
  ['push.changes.0.new.target.hash', 'string'],
  ['push.changes.0.new.target.message', 'string'],
  ['push.changes.0.new.target.date', 'string'],
  ['push.changes.0.new.target.author.type', 'string'],
  ['push.changes.0.new.target.author.user.display_name', 'string'],
  ['push.changes.0.new.target.author.user.links.html.href', 'string'],
  ['push.changes.0.new.target.links.html.href', 'string'],
  ['push.changes.0.new.target.links.self.href', 'string'],
  ['push.changes.0.links.html.href', 'string'],
  ['push.changes.0.created', 'boolean'],
  ['push.changes.0.closed', 'boolean'],
  ['push.changes.0.forced', 'boolean'],
  ['push.changes.0.truncated', 'boolean'],
  ['push.changes.0.commits', 'array'],
] as const;

const BRANCH_PUSH_PATHS = [
  ['push.changes.0.old.type', 'string'],
  ['push.changes.0.old.name', 'string'],
  ['push.changes.0.old.links.html.href', 'string'],
  ['push.changes.0.old.target.hash', 'string'],
  ['push.changes.0.old.target.links.html.href', 'string'],
  ['push.changes.0.commits.0.type', 'string'],
  ['push.changes.0.commits.0.hash', 'string'],
  ['push.changes.0.commits.0.message', 'string'],
  ['push.changes.0.commits.0.date', 'string'],
  ['push.changes.0.commits.0.author.user.display_name', 'string'],
  ['push.changes.0.commits.0.links.html.href', 'string'],
  ['push.changes.0.commits.0.links.self.href', 'string'],
] as const;

const PULL_REQUEST_PATHS = [
  ['pullrequest.type', 'string'],
  ['pullrequest.id', 'number'],
  ['pullrequest.title', 'string'],
  ['pullrequest.state', 'string'],
  ['pullrequest.links.html.href', 'string'],
  ['pullrequest.links.self.href', 'string'],
  ['pullrequest.source.branch.name', 'string'],
  ['pullrequest.source.commit.hash', 'string'],
  ['pullrequest.source.commit.links.html.href', 'string'],
  ['pullrequest.destination.branch.name', 'string'],
  ['pullrequest.destination.commit.hash', 'string'],
  ['pullrequest.destination.commit.links.html.href', 'string'],
  ['pullrequest.author.display_name', 'string'],
  ['pullrequest.author.links.html.href', 'string'],
] as const;

/** What only Bitbucket REST has, where the app looks the pull request up (comment events, merges, declines). */
const LOOKED_UP_PULL_REQUEST_PATHS = [
  ['pullrequest.close_source_branch', 'boolean'],
  ['pullrequest.description', 'string'],
  ['pullrequest.participants.0.type', 'string'],
  ['pullrequest.participants.0.role', 'string'],
  ['pullrequest.participants.0.approved', 'boolean'],
  ['pullrequest.participants.0.user.display_name', 'string'],
  ['pullrequest.reviewers.0.display_name', 'string'],
  ['pullrequest.reviewers.0.links.html.href', 'string'],
] as const;

const CLOSED_PULL_REQUEST_PATHS = [
  ['pullrequest.closed_by.display_name', 'string'],
  ['pullrequest.closed_by.account_id', 'string'],
  ['pullrequest.closed_by.links.html.href', 'string'],
] as const;

const REVIEWER_PATHS = [
  ['pullrequest.participants.0.role', 'string'],
  ['pullrequest.participants.0.state', 'string'],
  ['pullrequest.participants.0.approved', 'boolean'],
  ['pullrequest.participants.0.user.display_name', 'string'],
  ['pullrequest.reviewers.0.account_id', 'string'],
] as const;

const pushes = enriched.filter((e) => e.event.eventType === 'avi:bitbucket:push:repository');
const pullRequests = enriched.filter((e) => 'pullrequest' in e.event);

describe('webhook paths of an enriched push', () => {
  it('covers the push fixtures', () => {
    expect(pushes.map((e) => e.name).sort()).toEqual(['push.repository', 'push.repository.forced', 'push.repository.tag']);
  });

  it.each(pushes.map((e) => [e.name, e] as const))(`%s carries the ${PUSH_PATHS.length} paths of every push`, (_name, e) => {
    expect(misses(e.bitbucket, PUSH_PATHS)).toEqual([]);
  });

  it.each(pushes.filter((e) => e.name !== 'push.repository.tag').map((e) => [e.name, e] as const))(
    `%s carries the ${BRANCH_PUSH_PATHS.length} paths of a branch update`,
    (_name, e) => {
      expect(misses(e.bitbucket, BRANCH_PUSH_PATHS)).toEqual([]);
    },
  );

  it('links a new tag to its page and its commit, with no old ref', () => {
    const { bitbucket } = entry('push.repository.tag');
    expect(at(bitbucket, 'push.changes.0.old')).toBeNull();
    expect(at(bitbucket, 'push.changes.0.new.links.html.href')).toBe('https://bitbucket.org/acme-payments/payments-api/commits/tag/v1.4.0');
    expect(at(bitbucket, 'push.changes.0.links.html.href')).toBe(
      'https://bitbucket.org/acme-payments/payments-api/commits/0e72871f4810b169a040b32b0af661c4be6a4248',
    );
  });

  it('links the pushed range as the webhook does, newest first', () => {
    const { bitbucket } = entry('push.repository');
    expect(at(bitbucket, 'push.changes.0.links')).toEqual({
      html: {
        href: 'https://bitbucket.org/acme-payments/payments-api/branches/compare/0e72871f4810b169a040b32b0af661c4be6a4248..0049455a5aecf923d8fd6fb1e37091355a8bf278',
      },
    });
    expect(at(bitbucket, 'push.changes.0.new.target.message')).toBe('Bump ledger client to 3.2.1\n');
  });
});

describe('webhook paths of an enriched pull request', () => {
  it.each(pullRequests.map((e) => [e.name, e] as const))(
    `%s carries the ${PULL_REQUEST_PATHS.length} paths of every pull request`,
    (_name, e) => {
      expect(misses(e.bitbucket, PULL_REQUEST_PATHS)).toEqual([]);
    },
  );

  const lookedUp = pullRequests.filter((e) => e.lookedUpPullRequest);
  it('looks up the pull requests of comments, merges and declines', () => {
    expect(lookedUp.map((e) => e.event.eventType).sort()).toEqual([
      'avi:bitbucket:deleted:pullrequest-comment',
      'avi:bitbucket:fulfilled:pullrequest',
      'avi:bitbucket:rejected:pullrequest',
      'avi:bitbucket:reopened:pullrequest-comment',
      'avi:bitbucket:resolved:pullrequest-comment',
      'avi:bitbucket:updated:pullrequest-comment',
    ]);
  });

  it.each(lookedUp.map((e) => [e.name, e] as const))(
    `%s carries the ${LOOKED_UP_PULL_REQUEST_PATHS.length} paths only Bitbucket REST has`,
    (_name, e) => {
      expect(misses(e.bitbucket, LOOKED_UP_PULL_REQUEST_PATHS)).toEqual([]);
    },
  );

  it.each(['fulfilled.pullrequest', 'rejected.pullrequest'])(
    `%s names who closed it (${CLOSED_PULL_REQUEST_PATHS.length} paths)`,
    (name) => {
      const e = entry(name);
      expect(misses(e.bitbucket, CLOSED_PULL_REQUEST_PATHS)).toEqual([]);
      expect(at(e.bitbucket, 'pullrequest.closed_by.account_id')).toBe(at(e.bitbucket, 'actor.account_id'));
    },
  );

  it('links the merge commit of a merged pull request', () => {
    expect(at(entry('fulfilled.pullrequest').bitbucket, 'pullrequest.merge_commit.links.html.href')).toBe(
      'https://bitbucket.org/acme-payments/payments-api/commits/0049455a5aec',
    );
  });

  it(`lists the reviewers of a review as participants and reviewers (${REVIEWER_PATHS.length} paths)`, () => {
    expect(misses(entry('updated.pullrequest-reviewer-status').bitbucket, REVIEWER_PATHS)).toEqual([]);
  });

  it('links the pull request as Bitbucket does', () => {
    expect(at(entry('created.pullrequest').bitbucket, 'pullrequest.links')).toEqual({
      self: { href: 'https://api.bitbucket.org/2.0/repositories/acme-payments/payments-api/pullrequests/42' },
      html: { href: 'https://bitbucket.org/acme-payments/payments-api/pull-requests/42' },
    });
  });
});
