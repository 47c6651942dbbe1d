import { useState } from 'react';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Lozenge from '@atlaskit/lozenge';
import SectionMessage from '@atlaskit/section-message';
import { EVENT_CATALOG, isEventType } from '../../../src/core/catalog';
import {
  ResolverKeys,
  type BacklogRow,
  type Envelope,
  type ResolverResults,
  type RetryBacklogItemResult,
} from '../../../src/shared/contract';
import { Card } from './Card';
import { formatTime } from './format';
import { useResolver, type MergeResult, type ResolverError } from './useResolver';

const PAGE_SIZE = 20;
const FIRST_PAGE = { limit: PAGE_SIZE };

const CAUSES: Record<BacklogRow['cause'], string> = {
  configuration: 'Key or region',
  malformed: 'Refused',
  'too-large': 'Too large',
  unavailable: 'Coralogix unavailable',
  'not-configured': 'Not configured',
  'forwarding-disabled': 'Forwarding off',
};

type DiscardBacklogItemResult = ResolverResults[typeof ResolverKeys.discardBacklogItem];
type Message = { appearance: 'success' | 'error' | 'information'; text: string };

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

export function DeadLetters({ onChanged }: { onChanged: () => void }) {
  const backlog = useResolver(ResolverKeys.listBacklog, FIRST_PAGE, { merge: appendLaterPages });
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
  const shown = message ?? (backlog.error && failure(backlog.error));

  const showOutcomeAndReload = async (outcome: Message) => {
    setMessage(outcome);
    const reloaded = await backlog.reload();
    if (!reloaded.ok) setMessage(failure(reloaded.error));
    onChanged();
  };

  const loadMore = async (after: string) => {
    const page = await backlog.run({ limit: PAGE_SIZE, cursor: after });
    if (!page.ok) setMessage(failure(page.error));
  };

  const act = async (id: string, action: 'retry' | 'discard') => {
    const result = action === 'retry' ? await retryOne.run({ id }) : await discardOne.run({ id });
    await showOutcomeAndReload(actionOutcome(result));
  };

  const retryAll = async () => {
    const result = await retryEvery.run({});
    await showOutcomeAndReload(
      result.ok
        ? {
            appearance: 'success',
            text: `Sending ${result.data.waiting === 1 ? 'the waiting event' : `the ${result.data.waiting} waiting events`} in the background, oldest first.`,
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
      <DynamicTable
        testId="dead-letter-table"
        head={{
          cells: [
            { key: 'when', content: 'Kept since' },
            { key: 'event', content: 'Event' },
            { key: 'cause', content: 'Cause' },
            { key: 'reason', content: 'Last error' },
            { key: 'attempts', content: 'Attempts' },
            { key: 'actions', content: '' },
          ],
        }}
        rows={rows.map((row) => ({
          key: row.id,
          testId: 'dead-letter-row',
          cells: [
            { key: 'when', content: formatTime(row.backloggedAt) },
            { key: 'event', content: isEventType(row.eventType) ? EVENT_CATALOG[row.eventType].action : row.eventType },
            {
              key: 'cause',
              content: (
                <Lozenge appearance={row.held ? 'removed' : 'moved'}>
                  {row.held ? `${CAUSES[row.cause]}: needs you` : CAUSES[row.cause]}
                </Lozenge>
              ),
            },
            { key: 'reason', content: <span className="reason">{row.reason}</span> },
            { key: 'attempts', content: row.attempts },
            {
              key: 'actions',
              content: (
                <div className="actions">
                  <Button appearance="subtle" onClick={() => act(row.id, 'retry')} isDisabled={busy} testId="retry-one">
                    Retry
                  </Button>
                  <Button appearance="subtle" onClick={() => act(row.id, 'discard')} isDisabled={busy} testId="discard-one">
                    Discard
                  </Button>
                </div>
              ),
            },
          ],
        }))}
        emptyView={<p className="muted">Nothing is waiting: every event was delivered.</p>}
      />
      {cursor && (
        <Button appearance="subtle" onClick={() => loadMore(cursor)} testId="load-more">
          Show more
        </Button>
      )}
    </Card>
  );
}
