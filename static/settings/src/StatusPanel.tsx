import { useEffect, useState } from 'react';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import SectionMessage from '@atlaskit/section-message';
import { ResolverKeys, type StatusState } from '../../../src/shared/contract';
import { call } from './api';
import { ago, formatTime } from './format';

function health(status: StatusState): { label: string; appearance: 'success' | 'removed' | 'moved' | 'default' } {
  if (!status.configured) return { label: 'Not configured', appearance: 'default' };
  if (!status.forwardingEnabled) return { label: 'Paused', appearance: 'default' };
  const failingSinceSuccess = status.lastFailure !== null && (status.lastSuccessAt === null || status.lastFailure.at > status.lastSuccessAt);
  if (failingSinceSuccess) return { label: 'Failing', appearance: 'removed' };
  if (status.deadLetterCount > 0) return { label: 'Needs attention', appearance: 'moved' };
  return { label: 'Healthy', appearance: 'success' };
}

export function StatusPanel({ version }: { version: number }) {
  const [status, setStatus] = useState<StatusState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    void call(ResolverKeys.getStatus, {}).then((result) => {
      if (result.ok) {
        setStatus(result.data);
        setError(null);
      } else setError(result.error.message);
    });
  }, [version, refresh]);

  const badge = status ? health(status) : null;
  return (
    <section className="card" aria-labelledby="status-heading" data-testid="status-panel">
      <div className="actions">
        <Heading size="medium" as="h2" id="status-heading">
          Delivery health
        </Heading>
        {badge && (
          <Lozenge appearance={badge.appearance} testId="health">
            {badge.label}
          </Lozenge>
        )}
        <Button appearance="subtle" onClick={() => setRefresh((n) => n + 1)} testId="refresh-status">
          Refresh
        </Button>
      </div>
      {error && <SectionMessage appearance="error">{error}</SectionMessage>}
      {status && (
        <>
          <div className="stats">
            <Stat label="Delivered (24 h)" value={status.last24h.delivered} testId="stat-delivered" />
            <Stat label="Failed attempts (24 h)" value={status.last24h.failedAttempts} testId="stat-failed" />
            <Stat label="Retries scheduled (24 h)" value={status.last24h.retriesScheduled} testId="stat-retries" />
            <Stat label="Kept undelivered" value={status.deadLetterCount} testId="stat-dead-letters" />
          </div>
          {status.last24h.evicted > 0 && (
            <SectionMessage appearance="warning" testId="evicted">
              {status.last24h.evicted} undelivered {status.last24h.evicted === 1 ? 'event was' : 'events were'} removed in the last 24 hours to make room for newer ones.
            </SectionMessage>
          )}
          <dl className="facts">
            <dt>Last successful delivery</dt>
            <dd data-testid="last-success" title={formatTime(status.lastSuccessAt)}>
              {ago(status.lastSuccessAt)}
            </dd>
            <dt>Last failure</dt>
            <dd data-testid="last-failure" className="reason">
              {status.lastFailure ? `${ago(status.lastFailure.at)}: ${status.lastFailure.reason}` : 'none'}
            </dd>
            <dt>Last heartbeat</dt>
            <dd data-testid="last-heartbeat">{status.lastHeartbeat ? `${ago(status.lastHeartbeat.at)} (${status.lastHeartbeat.outcome})` : 'not yet'}</dd>
          </dl>
          <p className="muted">Failures are counted at once; deliveries may take up to a minute to show.</p>
        </>
      )}
    </section>
  );
}

function Stat({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </div>
  );
}
