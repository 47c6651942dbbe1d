import { readFileSync } from 'node:fs';
import path from 'node:path';
import { backlogSummaryOf } from '../../src/core/backlog';
import { describeEntry } from '../../src/core/event-description';
import type { PendingDelivery } from '../../src/core/pending';

// The golden records are what the app sends for each example event, so these are the words an admin
// reads for exactly those events under Undelivered events.
const GOLDEN_DIR = path.resolve(__dirname, '../fixtures/golden');

function goldenEntry(name: string) {
  const golden = JSON.parse(readFileSync(path.join(GOLDEN_DIR, `${name}.json`), 'utf8')) as {
    entry: { timestamp: number; methodName: string; className: string };
    text: unknown;
  };
  return { ...golden.entry, text: JSON.stringify(golden.text) };
}

describe('describing an entry for the admin', () => {
  it.each([
    ['fulfilled.pullrequest.enriched', 'acme-payments/payments-api', 'PR #42 merged'],
    ['created.pullrequest.plain', 'payments-api', 'PR #42 opened'],
    ['rejected.pullrequest.enriched', 'acme-payments/web-frontend', 'PR #17 declined'],
    ['push.repository.enriched', 'acme-payments/payments-api', 'Push to main, 3 commits'],
    ['push.repository.forced.enriched', 'acme-payments/payments-api', 'Forced push to feature/retry-backoff, 1 commit'],
    ['push.repository.tag.enriched', 'acme-payments/payments-api', 'Tag v1.4.0 created'],
    ['completed.deployment.enriched', 'acme-payments/payments-api', 'Deployment to production failed'],
    ['completed.deployment.successful.enriched', 'acme-payments/payments-api', 'Deployment to staging succeeded'],
    ['started.deployment.plain', 'payments-api', 'Deployment to production started'],
    ['updated.build-status.enriched', 'acme-payments/payments-api', 'Build ci-unit-tests failed on main'],
    ['created.pullrequest-comment.enriched', 'acme-payments/payments-api', 'Comment added on PR #42'],
    ['updated.pullrequest-reviewer-status.enriched', 'acme-payments/payments-api', 'PR #42 approved'],
    ['created.commit-comment.enriched', 'acme-payments/payments-api', 'Comment on commit 0e72871'],
    ['updated.repository.enriched', 'acme-payments/payments-api', 'Repository name, description changed'],
    ['deleted.repository.plain', null, 'Repository deleted'],
  ])('%s: %s, "%s"', (name, repository, summary) => {
    const entry = goldenEntry(name);
    expect(describeEntry(entry)).toEqual({ repository, summary, occurredAt: Math.floor(entry.timestamp) });
  });

  it('falls back to the action the entry names when its text is not a record it can read', () => {
    expect(describeEntry({ text: '{"trimmed": tr', methodName: 'Pull request merged' })).toEqual({
      repository: null,
      summary: 'Pull request merged',
    });
    expect(describeEntry({ text: '[]', className: 'avi:bitbucket:future:thing' }).summary).toBe('avi:bitbucket:future:thing');
  });

  it('keeps a summary to one line, however long the names in it', () => {
    const entry = goldenEntry('push.repository.plain');
    const record = JSON.parse(entry.text) as { bitbucket: { push: { changes: Array<{ new: { name: string } }> } } };
    const change = record.bitbucket.push.changes[0];
    if (change) change.new.name = 'x'.repeat(5_000);
    const { summary } = describeEntry({ ...entry, text: JSON.stringify(record) });
    expect(summary.length).toBeLessThanOrEqual(120);
    expect(summary).toMatch(/^Push to x+…, 3 commits$/);
  });

  it('is kept with the summary of an event put in the backlog', () => {
    const entry = goldenEntry('fulfilled.pullrequest.enriched');
    const delivery: PendingDelivery = {
      eventId: 'e'.repeat(32),
      eventType: 'avi:bitbucket:fulfilled:pullrequest',
      entry: { applicationName: 'a', subsystemName: 's', ...entry },
      attempts: 1,
      firstAttemptAt: 1,
      lastAttemptAt: 1,
    };
    expect(backlogSummaryOf(delivery, 'configuration', 'HTTP 403', 5).description).toEqual({
      repository: 'acme-payments/payments-api',
      summary: 'PR #42 merged',
      occurredAt: Math.floor(entry.timestamp),
    });
  });
});
