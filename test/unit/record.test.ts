import { decodeEvent, type BitbucketEvent } from '../../src/core/events';
import { eventIdOf } from '../../src/core/event-id';
import { buildRecord } from '../../src/core/record';
import { severityOf } from '../../src/core/severity';
import { fixture, loadEventFixtures } from '../support/fixtures';

function decoded(name: string): BitbucketEvent {
  const result = decodeEvent(fixture(name));
  if (!result.ok) throw new Error(`${name} does not decode: ${result.problems.join('; ')}`);
  return result.event;
}

describe('the log record', () => {
  it('has the Coralogix Bitbucket integration envelope', () => {
    const payload = fixture('created.repository') as {
      repository: { uuid: string };
      actor: { type: string; uuid: string; accountId: string };
    };
    const record = buildRecord(decoded('created.repository'));
    expect(record.source_system).toBe('bitbucket');
    expect(record.bitbucket.repository).toMatchObject({
      type: 'repository',
      uuid: payload.repository.uuid,
      workspace: { uuid: '{1493262c-9c7d-4c3f-ba70-776ad841d429}' },
      project: { uuid: '{e3c27c57-ddc4-4c1d-a224-842f254fc165}' },
    });
    expect(record.bitbucket.actor).toEqual({ type: payload.actor.type, uuid: payload.actor.uuid, account_id: payload.actor.accountId });
  });

  it('names the event: type, family and action', () => {
    expect(buildRecord(decoded('fulfilled.pullrequest')).event).toMatchObject({
      type: 'avi:bitbucket:fulfilled:pullrequest',
      family: 'pullrequest',
      action: 'Pull request merged',
    });
  });

  it('maps a branch push to webhook push.changes with old and new refs and commits', () => {
    const { push } = buildRecord(decoded('push.repository')).bitbucket as { push: { changes: Array<Record<string, unknown>> } };
    expect(push.changes).toHaveLength(1);
    const change = push.changes[0] as Record<string, unknown>;
    expect(change).toMatchObject({
      new: { type: 'branch', name: 'main', target: { hash: '0e72871f4810b169a040b32b0af661c4be6a4248' } },
      old: { type: 'branch', name: 'main', target: { hash: '0049455a5aecf923d8fd6fb1e37091355a8bf278' } },
      forced: false,
      created: false,
      closed: false,
    });
    expect((change.commits as unknown[]).length).toBe(3);
    expect(change.commits).toContainEqual(
      expect.objectContaining({ hash: 'd6fbefaed40ce54d461d46677a5a76c7383856f2', message: 'Add refund amount validation\n' }),
    );
  });

  it('maps a tag push to a tag ref with no old ref when the tag is new', () => {
    const { push } = buildRecord(decoded('push.repository.tag')).bitbucket as { push: { changes: Array<Record<string, unknown>> } };
    expect(push.changes[0]).toMatchObject({
      new: { type: 'tag', name: 'v1.4.0', target: { message: 'Release 1.4.0\n' } },
      old: null,
      created: true,
      commits: [],
    });
  });

  it('lists the fields Bitbucket truncated', () => {
    expect(buildRecord(decoded('push.repository')).event.truncated_fields).toEqual(['push.changes.0.commits.1.message']);
    expect(buildRecord(decoded('created.repository')).event).not.toHaveProperty('truncated_fields');
  });

  it('maps repository changes to changes.<field>.old/new as the webhook does', () => {
    const event = decoded('updated.repository');
    const { changes } = buildRecord(event).bitbucket as { changes: Record<string, { old: unknown; new: unknown }> };
    const source = (event as { changes: Record<string, { old: { value: string }; new: { value: string } }> }).changes;
    for (const [field, change] of Object.entries(source)) {
      expect(changes[field]).toEqual({ old: change.old.value, new: change.new.value });
    }
    expect(Object.keys(changes)).toContain('description');
  });

  it('maps pull request branches to branch objects and the merge commit', () => {
    const { pullrequest } = buildRecord(decoded('fulfilled.pullrequest')).bitbucket as { pullrequest: Record<string, unknown> };
    expect(pullrequest).toMatchObject({
      id: 42,
      state: 'MERGED',
      title: 'Retry acquirer calls with exponential backoff',
      source: { branch: { name: 'feature/retry-backoff' }, commit: { hash: 'd8a466b60d3b' } },
      destination: { branch: { name: 'main' } },
      merge_commit: { hash: '0049455a5aec' },
    });
  });

  it('lists reviewers as participants, tolerating a reviewer without ids', () => {
    const { pullrequest } = buildRecord(decoded('updated.pullrequest-reviewer-status')).bitbucket as {
      pullrequest: { participants: unknown[] };
    };
    expect(pullrequest.participants).toEqual([
      expect.objectContaining({
        role: 'REVIEWER',
        state: 'approved',
        approved: true,
        user: expect.objectContaining({ account_id: '712020:c1bd0dde-cb2b-44f4-9a91-7da2b5f15ec6' }),
      }),
      expect.objectContaining({ role: 'REVIEWER', state: 'changes_requested', approved: false, user: { type: 'user' } }),
    ]);
  });

  it('records a deployment, which has no actor', () => {
    const record = buildRecord(decoded('completed.deployment'));
    // What Coralogix receives is the serialized record.
    expect(JSON.parse(JSON.stringify(record.bitbucket))).not.toHaveProperty('actor');
    expect(record.bitbucket).toMatchObject({
      deployment: { state: 'COMPLETED', status: 'FAILED' },
      environment: { name: 'production', environment_type: 'PRODUCTION' },
    });
  });

  it('carries unknown extra fields through, at the top level and nested', () => {
    expect(buildRecord(decoded('created.commit-comment')).bitbucket).toHaveProperty('someFutureField');
    const { pullrequest } = buildRecord(decoded('updated.pullrequest')).bitbucket as { pullrequest: Record<string, unknown> };
    expect(pullrequest).toHaveProperty('someFutureField');
  });

  it('serializes to JSON without loss for every fixture', () => {
    for (const f of loadEventFixtures()) {
      const result = decodeEvent(f.payload);
      if (!result.ok) throw new Error(f.name);
      const record = buildRecord(result.event, f.payload);
      expect(JSON.parse(JSON.stringify(record))).toEqual(record);
    }
  });
});

describe('event ids', () => {
  it('are the same for the same event', () => {
    expect(eventIdOf(fixture('push.repository'))).toBe(eventIdOf(fixture('push.repository')));
  });

  it('do not depend on the order of top-level fields or on redelivery metadata', () => {
    const payload = fixture('created.pullrequest');
    const reordered = Object.fromEntries(Object.entries(payload).reverse());
    expect(eventIdOf(reordered)).toBe(eventIdOf(payload));
    expect(eventIdOf({ ...payload, retryContext: { retryCount: 2 } })).toBe(eventIdOf(payload));
  });

  it('differ between events', () => {
    const ids = loadEventFixtures().map((f) => eventIdOf(f.payload));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('severity', () => {
  it.each([
    ['push.repository', 3],
    ['push.repository.forced', 4],
    ['deleted.repository', 4],
    ['created.build-status', 3],
    ['updated.build-status', 5],
    ['completed.deployment', 5],
    ['completed.deployment.successful', 3],
    ['created.pullrequest-comment', 3],
  ])('%s is %i', (name, severity) => {
    expect(severityOf(decoded(name))).toBe(severity);
  });
});
