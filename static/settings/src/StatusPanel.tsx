import Button from '@atlaskit/button/new';
import SectionMessage from '@atlaskit/section-message';
import type { HeartbeatStatus } from '../../../src/core/health';
import type { StatusState } from '../../../src/shared/contract';
import { backlogSentence } from './backlogWords';
import { Card } from './Card';
import { TagsStatus } from './TagsStatus';
import { ago, asSentence, formatMoment, formatTime, plural } from './format';
import type { ResolverError } from './useResolver';

type Appearance = 'success' | 'error' | 'warning' | 'information';

/** The one state to read first, as a title in words and what to know or do about it. */
function headlineWords(status: StatusState): { appearance: Appearance; title: string; body: string } {
  const { headline } = status;
  switch (headline.state) {
    case 'not-configured':
      return {
        appearance: 'information',
        title: 'Not configured',
        body: 'Paste your key, choose the region and save: events are sent from then on.',
      };
    case 'paused':
      return {
        appearance: 'warning',
        title: 'Paused',
        body: `Forwarding is switched off.${headline.waiting > 0 ? ` ${plural(headline.waiting, 'event waits', 'events wait')} until it is on again.` : ''}`,
      };
    case 'failing': {
      const waiting = status.backlog.count;
      const kept = waiting === 0 ? 'Events are' : `${plural(waiting, 'event waits', 'events wait')}: they are`;
      return {
        appearance: 'error',
        title: `Failing since ${formatMoment(headline.since)}`,
        body: `${headline.reason}. ${
          headline.needsSettings
            ? `Save a working key or region. ${kept} replayed automatically as soon as you do.`
            : `${kept} kept and retried automatically.`
        }`,
      };
    }
    case 'catching-up':
      return {
        appearance: 'information',
        title: headline.draining ? 'Backlog draining' : 'Backlog waiting',
        body: backlogSentence(status),
      };
    case 'tags-waiting': {
      const why = headline.reason === null ? '' : ` ${asSentence(headline.reason)}`;
      const logs =
        headline.lastSuccessAt === null ? 'Log entries are not failing' : `Log entries are delivered (last ${ago(headline.lastSuccessAt)})`;
      return {
        appearance: 'warning',
        title: 'Version tags waiting',
        body: `${logs}, but ${plural(headline.waiting, 'version tag waits', 'version tags wait')} to be created.${why} See Version tags below.`,
      };
    }
    case 'healthy':
      return {
        appearance: 'success',
        title: 'Healthy',
        body: headline.lastSuccessAt === null ? 'Connected: nothing delivered yet.' : `Last delivery ${ago(headline.lastSuccessAt)}.`,
      };
  }
}

function heartbeatWords(heartbeat: HeartbeatStatus): string {
  const next =
    'nextBy' in heartbeat
      ? `the next is due ${heartbeat.nextBy === null ? 'within the hour' : `by ${formatMoment(heartbeat.nextBy)}`}`
      : '';
  switch (heartbeat.state) {
    case 'off':
      return heartbeat.because === 'not-configured' ? 'Not sent until the app is configured' : 'Not sent while forwarding is off';
    case 'pending':
      return `Not sent with the saved settings yet; ${next}`;
    case 'delivered':
      return `Delivered ${ago(heartbeat.at)}; ${next}`;
    case 'failed':
      return `Failed ${ago(heartbeat.at)}: ${heartbeat.reason}. Tried again hourly; ${next}`;
  }
}

interface StatusPanelProps {
  status: StatusState | null;
  error: ResolverError | null;
  onRefresh: () => void;
}

export function StatusPanel({ status, error, onRefresh }: StatusPanelProps) {
  const words = status ? headlineWords(status) : null;
  return (
    <Card
      headingId="status-heading"
      title="Delivery health"
      testId="status-panel"
      headerExtras={
        <Button appearance="subtle" onClick={onRefresh} testId="refresh-status">
          Refresh
        </Button>
      }
    >
      {error && <SectionMessage appearance="error">{error.message}</SectionMessage>}
      {status && words && (
        <>
          <div data-testid="headline" data-state={status.headline.state} aria-live="polite">
            <SectionMessage appearance={words.appearance} title={words.title} testId="health">
              <p>{words.body}</p>
            </SectionMessage>
          </div>
          <div className="stats">
            <Stat label="Delivered (24 h)" value={status.last24h.delivered} testId="stat-delivered" />
            <Stat label="Failed attempts (24 h)" value={status.last24h.failedAttempts} testId="stat-failed" />
            <Stat label="Retries scheduled (24 h)" value={status.last24h.retriesScheduled} testId="stat-retries" />
            <Stat label="Waiting in the backlog" value={status.backlog.count} testId="stat-backlog" />
          </div>
          {status.backlog.dropped && (
            <SectionMessage appearance="warning" testId="backlog-dropped">
              <p>
                {plural(status.backlog.dropped.count, 'undelivered event was', 'undelivered events were')} dropped to stay within the
                backlog&apos;s capacity (kept between {formatTime(status.backlog.dropped.firstBackloggedAt)} and{' '}
                {formatTime(status.backlog.dropped.lastBackloggedAt)}).{' '}
                {status.backlog.dropped.reportedAt === null
                  ? 'Coralogix will be told as soon as it takes entries again.'
                  : 'An entry in Coralogix says so too.'}
              </p>
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
            <dt>Heartbeat</dt>
            <dd data-testid="last-heartbeat">{heartbeatWords(status.heartbeat)}</dd>
          </dl>
          <p className="muted">
            Failures and connection tests of the saved key show at once; other deliveries within a minute. A Coralogix &ldquo;no data&rdquo;
            alert on the hourly heartbeat tells you when the stream goes silent.
          </p>
          <TagsStatus status={status.versionTags} onChanged={onRefresh} />
        </>
      )}
    </Card>
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
