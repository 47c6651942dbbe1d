import Button from '@atlaskit/button/new';
import Lozenge from '@atlaskit/lozenge';
import SectionMessage from '@atlaskit/section-message';
import { ResolverKeys, type StatusState } from '../../../src/shared/contract';
import { Card } from './Card';
import { ago, formatTime } from './format';
import { useResolver } from './useResolver';

function health(status: StatusState): { label: string; appearance: 'success' | 'removed' | 'moved' | 'default' } {
  if (!status.configured) return { label: 'Not configured', appearance: 'default' };
  if (!status.forwardingEnabled) return { label: 'Paused', appearance: 'default' };
  const failingSinceSuccess =
    status.lastFailure !== null && (status.lastSuccessAt === null || status.lastFailure.at > status.lastSuccessAt);
  if (failingSinceSuccess) return { label: 'Failing', appearance: 'removed' };
  if (status.backlog.phase === 'waiting-for-settings') return { label: 'Key or region refused', appearance: 'removed' };
  if (status.backlog.count > 0)
    return { label: status.backlog.phase === 'draining' ? 'Catching up' : 'Backlog waiting', appearance: 'moved' };
  return { label: 'Healthy', appearance: 'success' };
}

export function StatusPanel({ reloadToken }: { reloadToken: number }) {
  const { data: status, error, reload } = useResolver(ResolverKeys.getStatus, {}, { reloadToken });

  const badge = status ? health(status) : null;
  return (
    <Card
      headingId="status-heading"
      title="Delivery health"
      testId="status-panel"
      headerExtras={
        <>
          {badge && (
            <Lozenge appearance={badge.appearance} testId="health">
              {badge.label}
            </Lozenge>
          )}
          <Button appearance="subtle" onClick={() => void reload()} testId="refresh-status">
            Refresh
          </Button>
        </>
      }
    >
      {error && <SectionMessage appearance="error">{error.message}</SectionMessage>}
      {status && (
        <>
          <div className="stats">
            <Stat label="Delivered (24 h)" value={status.last24h.delivered} testId="stat-delivered" />
            <Stat label="Failed attempts (24 h)" value={status.last24h.failedAttempts} testId="stat-failed" />
            <Stat label="Retries scheduled (24 h)" value={status.last24h.retriesScheduled} testId="stat-retries" />
            <Stat label="Waiting in the backlog" value={status.backlog.count} testId="stat-backlog" />
          </div>
          {status.backlog.dropped && (
            <SectionMessage appearance="warning" testId="backlog-dropped">
              <p>
                {status.backlog.dropped.count} undelivered {status.backlog.dropped.count === 1 ? 'event was' : 'events were'} dropped to
                stay within the backlog&apos;s capacity (kept between {formatTime(status.backlog.dropped.firstBackloggedAt)} and{' '}
                {formatTime(status.backlog.dropped.lastBackloggedAt)}).{' '}
                {status.backlog.dropped.reportedAt === null
                  ? 'Coralogix will be told as soon as it takes entries again.'
                  : 'An entry in Coralogix says so too.'}
              </p>
            </SectionMessage>
          )}
          {status.backlog.count > 0 && (
            <SectionMessage appearance={status.backlog.phase === 'waiting-for-settings' ? 'error' : 'information'} testId="backlog-summary">
              <p>{backlogSentence(status.backlog)}</p>
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
            <dd data-testid="last-heartbeat">
              {status.lastHeartbeat ? `${ago(status.lastHeartbeat.at)} (${status.lastHeartbeat.outcome})` : 'not yet'}
            </dd>
          </dl>
          <p className="muted">Failures are counted at once; deliveries may take up to a minute to show.</p>
        </>
      )}
    </Card>
  );
}

function backlogSentence(backlog: StatusState['backlog']): string {
  const waiting = `${backlog.count} ${backlog.count === 1 ? 'event waits' : 'events wait'}${backlog.oldestAt === null ? '' : ` since ${formatTime(backlog.oldestAt)}`}.`;
  switch (backlog.phase) {
    case 'draining':
      return `${waiting} Sending them now, oldest first: ${backlog.drainedInRun} delivered so far.`;
    case 'retrying':
      return `${waiting} ${backlog.reason ?? 'Coralogix did not take them'}; trying again ${backlog.nextAttemptAt === null ? 'soon' : `at ${formatTime(backlog.nextAttemptAt)}`}, automatically.`;
    case 'waiting-for-settings':
      return `${waiting} ${backlog.reason ?? 'Coralogix refused the key'}. Save a working key or region: they are sent as soon as you do.`;
    case 'paused':
      return `${waiting} ${backlog.reason ?? 'Forwarding is off'}: they are sent once forwarding is on again.`;
    case 'idle':
      return `${waiting} They are sent automatically with the next delivery that succeeds.`;
  }
}

function Stat({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </div>
  );
}
