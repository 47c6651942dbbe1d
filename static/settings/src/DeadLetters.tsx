import { useCallback, useEffect, useState } from 'react';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import SectionMessage from '@atlaskit/section-message';
import { EVENT_CATALOG, isEventType } from '../../../src/core/catalog';
import { ResolverKeys, type BacklogRow } from '../../../src/shared/contract';
import { call } from './api';
import { formatTime } from './format';

const PAGE_SIZE = 20;

const CAUSES: Record<BacklogRow['cause'], string> = {
  configuration: 'Key or region',
  malformed: 'Refused',
  'too-large': 'Too large',
  unavailable: 'Coralogix unavailable',
  'not-configured': 'Not configured',
  'forwarding-disabled': 'Forwarding off',
};

export function DeadLetters({ onChanged }: { onChanged: () => void }) {
  const [rows, setRows] = useState<BacklogRow[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [message, setMessage] = useState<{ appearance: 'success' | 'error' | 'information'; text: string } | null>(null);
  const [busyKey, setBusyKey] = useState<string | null>(null);

  const load = useCallback(async (after?: string) => {
    const result = await call(ResolverKeys.listBacklog, { limit: PAGE_SIZE, ...(after ? { cursor: after } : {}) });
    if (!result.ok) {
      setMessage({ appearance: 'error', text: result.error.message });
      return;
    }
    setRows((current) => (after ? [...current, ...result.data.items] : result.data.items));
    setCursor(result.data.nextCursor);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (id: string, action: 'retry' | 'discard') => {
    setBusyKey(id);
    const result = action === 'retry' ? await call(ResolverKeys.retryBacklogItem, { id }) : await call(ResolverKeys.discardBacklogItem, { id });
    setBusyKey(null);
    if (!result.ok) setMessage({ appearance: 'error', text: result.error.message });
    else if ('message' in result.data) setMessage({ appearance: result.data.outcome === 'delivered' ? 'success' : 'information', text: result.data.message });
    else setMessage({ appearance: 'information', text: 'Discarded.' });
    await load();
    onChanged();
  };

  const retryAll = async () => {
    setBusyKey('*');
    const result = await call(ResolverKeys.retryAllBacklog, {});
    setBusyKey(null);
    setMessage(
      result.ok
        ? { appearance: 'success', text: `Sending ${result.data.waiting === 1 ? 'the waiting event' : `the ${result.data.waiting} waiting events`} in the background, oldest first.` }
        : { appearance: 'error', text: result.error.message },
    );
    await load();
    onChanged();
  };

  return (
    <section className="card" aria-labelledby="dead-letters-heading" data-testid="dead-letters">
      <div className="actions">
        <Heading size="medium" as="h2" id="dead-letters-heading">
          Undelivered events
        </Heading>
        <Button onClick={retryAll} isDisabled={rows.length === 0 || busyKey !== null} testId="retry-all">
          Retry all
        </Button>
      </div>
      <p className="lede">Events that could not be delivered when they happened wait here until they are: they are sent automatically, oldest first, as soon as Coralogix takes them again. Events Coralogix refused as they are wait for you to retry or discard them.</p>
      {message && (
        <SectionMessage appearance={message.appearance} testId="dead-letters-message">
          <p>{message.text}</p>
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
            { key: 'cause', content: <Lozenge appearance={row.held ? 'removed' : 'moved'}>{row.held ? `${CAUSES[row.cause]}: needs you` : CAUSES[row.cause]}</Lozenge> },
            { key: 'reason', content: <span className="reason">{row.reason}</span> },
            { key: 'attempts', content: row.attempts },
            {
              key: 'actions',
              content: (
                <div className="actions">
                  <Button appearance="subtle" onClick={() => act(row.id, 'retry')} isDisabled={busyKey !== null} testId="retry-one">
                    Retry
                  </Button>
                  <Button appearance="subtle" onClick={() => act(row.id, 'discard')} isDisabled={busyKey !== null} testId="discard-one">
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
        <Button appearance="subtle" onClick={() => load(cursor)} testId="load-more">
          Show more
        </Button>
      )}
    </section>
  );
}
