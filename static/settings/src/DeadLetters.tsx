import { useState } from 'react';
import Button from '@atlaskit/button/new';
import Lozenge from '@atlaskit/lozenge';
import SectionMessage from '@atlaskit/section-message';
import { EVENT_CATALOG, isEventType } from '../../../src/core/catalog';
import {
  ResolverKeys,
  type BacklogRow,
  type Envelope,
  type ResolverResults,
  type RetryBacklogItemResult,
  type StatusState,
} from '../../../src/shared/contract';
import { nextStepOfRow } from './backlogWords';
import { Card } from './Card';
import { formatMoment, formatTime, plural } from './format';
import { useResolver, type MergeResult, type ResolverError } from './useResolver';

const PAGE_SIZE = 20;
const FIRST_PAGE = { limit: PAGE_SIZE };

const CAUSES: Record<BacklogRow['cause'], string> = {
  configuration: 'Key or region refused',
  malformed: 'Refused by Coralogix',
  'too-large': 'Too large',
  unavailable: 'Coralogix unavailable',
  'not-configured': 'Not configured',
  'forwarding-disabled': 'Forwarding off',
};

type DiscardBacklogItemResult = ResolverResults[typeof ResolverKeys.discardBacklogItem];
/** `whileWaiting`: about events still listed ("sending them"); once none is, it would contradict the list. */
type Message = { appearance: 'success' | 'error' | 'information'; text: string; whileWaiting?: boolean };

const failure = (error: ResolverError): Message => ({ appearance: 'error', text: error.message });

/** "Show more" adds a page below the rows shown; the first page (after an action, too) replaces them. */
const appendLaterPages: MergeResult<typeof ResolverKeys.listBacklog> = (kept, page, input) =>
  input.cursor !== undefined && kept !== null ? { items: [...kept.items, ...page.items], nextCursor: page.nextCursor } : page;

function actionOutcome(result: Envelope<RetryBacklogItemResult | DiscardBacklogItemResult>): Message {
  if (!result.ok) return failure(result.error);
  if ('message' in result.data)
    return { appearance: result.data.outcome === 'delivered' ? 'success' : 'information', text: result.data.message };
  return { appearance: 'information', text: 'Discarded.' };
}

/** What happened, in words; summaries kept by earlier versions name only the event type. */
function whatHappened(row: BacklogRow): { summary: string; repository: string | null } {
  if (row.description) return { summary: row.description.summary, repository: row.description.repository };
  return { summary: isEventType(row.eventType) ? EVENT_CATALOG[row.eventType].action : row.eventType, repository: null };
}

/** Said when the list is empty, and only what the status confirms: an event still on its way is not "delivered". */
function emptyWords(status: StatusState | null): string {
  if (status === null || status.backlog.count === 0) return 'Nothing is waiting: every event was delivered.';
  return `${plural(status.backlog.count, 'event is', 'events are')} still waiting to be sent.`;
}

interface DeadLettersProps {
  status: StatusState | null;
  /** Reloads the status, and with it this list. */
  onChanged: () => void;
  reloadToken: number;
}

export function DeadLetters({ status, onChanged, reloadToken }: DeadLettersProps) {
  const backlog = useResolver(ResolverKeys.listBacklog, FIRST_PAGE, { merge: appendLaterPages, reloadToken });
  const retryOne = useResolver(ResolverKeys.retryBacklogItem);
  const discardOne = useResolver(ResolverKeys.discardBacklogItem);
  const retryEvery = useResolver(ResolverKeys.retryAllBacklog);
  const [message, setMessage] = useState<Message | null>(null);
  const rows = backlog.data?.items ?? [];
  const cursor = backlog.data?.nextCursor;
  const busy = retryOne.loading || discardOne.loading || retryEvery.loading;
  // Outcomes of actions and failures of later loads share one message: the latest wins. The first
  // load's failure shows only while none was set, and nothing can be set before it succeeds: until
  // then there are no rows, so no button to click.
  const shown = message?.whileWaiting && rows.length === 0 ? null : (message ?? (backlog.error && failure(backlog.error)));

  const showOutcome = (outcome: Message) => {
    setMessage(outcome);
    onChanged();
  };

  const loadMore = async (after: string) => {
    const page = await backlog.run({ limit: PAGE_SIZE, cursor: after });
    if (!page.ok) setMessage(failure(page.error));
  };

  const act = async (id: string, action: 'retry' | 'discard') => {
    const result = action === 'retry' ? await retryOne.run({ id }) : await discardOne.run({ id });
    showOutcome(actionOutcome(result));
  };

  const retryAll = async () => {
    const result = await retryEvery.run({});
    showOutcome(
      result.ok
        ? {
            appearance: 'success',
            whileWaiting: true,
            text:
              result.data.waiting === 0
                ? 'Nothing is left waiting.'
                : `Sending ${result.data.waiting === 1 ? 'the waiting event' : `the ${result.data.waiting} waiting events`} in the background, oldest first.`,
          }
        : failure(result.error),
    );
  };

  return (
    <Card
      headingId="dead-letters-heading"
      title="Undelivered events"
      testId="dead-letters"
      headerExtras={
        <Button onClick={retryAll} isDisabled={rows.length === 0 || busy} testId="retry-all">
          Retry all
        </Button>
      }
    >
      <p className="lede">
        Events that could not be delivered when they happened wait here until they are: they are sent automatically, oldest first, as soon
        as Coralogix takes them again. Events Coralogix refused as they are wait for you to retry or discard them.
      </p>
      {shown && (
        <SectionMessage appearance={shown.appearance} testId="dead-letters-message">
          <p>{shown.text}</p>
        </SectionMessage>
      )}
      {rows.length === 0 ? (
        backlog.data !== null && (
          <p className="muted" data-testid="dead-letters-empty">
            {emptyWords(status)}
          </p>
        )
      ) : (
        <ul className="backlog-list" aria-labelledby="dead-letters-heading" data-testid="dead-letter-table">
          {rows.map((row) => {
            const { summary, repository } = whatHappened(row);
            const next = nextStepOfRow(row, status);
            const happenedAt = row.description?.occurredAt ?? row.backloggedAt;
            return (
              <li key={row.id} className="backlog-item" data-testid="dead-letter-row">
                <div className="backlog-what">
                  <span className="backlog-summary" data-testid="dead-letter-summary">
                    {summary}
                  </span>
                  <span className="muted" data-testid="dead-letter-repository">
                    {repository ?? 'Repository not known'} · <span title={formatTime(happenedAt)}>{formatMoment(happenedAt)}</span>
                  </span>
                </div>
                <div className="backlog-why">
                  <span>
                    <Lozenge appearance={next.needsYou ? 'removed' : 'moved'}>{CAUSES[row.cause]}</Lozenge>
                  </span>
                  <span className="reason" data-testid="dead-letter-reason">
                    {row.reason}
                    {row.attempts > 1 ? ` (${plural(row.attempts, 'attempt', 'attempts')})` : ''}
                  </span>
                  <span className={next.needsYou ? 'next needs-you' : 'next'} data-testid="dead-letter-next">
                    {next.text}
                  </span>
                </div>
                <div className="actions backlog-actions">
                  {/* Named with the event, so a screen reader's list of buttons tells the rows apart. */}
                  <Button
                    appearance="subtle"
                    onClick={() => act(row.id, 'retry')}
                    isDisabled={busy}
                    testId="retry-one"
                    aria-label={`Retry: ${summary}`}
                  >
                    Retry
                  </Button>
                  <Button
                    appearance="subtle"
                    onClick={() => act(row.id, 'discard')}
                    isDisabled={busy}
                    testId="discard-one"
                    aria-label={`Discard: ${summary}`}
                  >
                    Discard
                  </Button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {cursor && (
        <Button appearance="subtle" onClick={() => loadMore(cursor)} testId="load-more">
          Show more
        </Button>
      )}
    </Card>
  );
}
