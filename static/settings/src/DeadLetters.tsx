import { useCallback, useEffect, useState } from 'react';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import SectionMessage from '@atlaskit/section-message';
import { EVENT_CATALOG, isEventType } from '../../../src/core/catalog';
import { ResolverKeys, type DeadLetterRow } from '../../../src/shared/contract';
import { call } from './api';
import { formatTime } from './format';

const PAGE_SIZE = 20;

const CAUSES: Record<DeadLetterRow['cause'], string> = {
  configuration: 'Key or region',
  malformed: 'Refused',
  'too-large': 'Too large',
  'retries-exhausted': 'Gave up after 24 h',
  'not-configured': 'Not configured',
  'forwarding-disabled': 'Forwarding off',
  'retry-unavailable': 'Queue unavailable',
};

export function DeadLetters({ onChanged }: { onChanged: () => void }) {
  const [rows, setRows] = useState<DeadLetterRow[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [message, setMessage] = useState<{ appearance: 'success' | 'error' | 'information'; text: string } | null>(null);
  const [busyKey, setBusyKey] = useState<string | null>(null);

  const load = useCallback(async (after?: string) => {
    const result = await call(ResolverKeys.listDeadLetters, { limit: PAGE_SIZE, ...(after ? { cursor: after } : {}) });
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

  const act = async (key: string, action: 'retry' | 'discard') => {
    setBusyKey(key);
    const result = action === 'retry' ? await call(ResolverKeys.retryDeadLetter, { key }) : await call(ResolverKeys.discardDeadLetter, { key });
    setBusyKey(null);
    if (!result.ok) setMessage({ appearance: 'error', text: result.error.message });
    else if ('message' in result.data) setMessage({ appearance: result.data.outcome === 'delivered' ? 'success' : 'information', text: result.data.message });
    else setMessage({ appearance: 'information', text: 'Discarded.' });
    await load();
    onChanged();
  };

  const retryAll = async () => {
    setBusyKey('*');
    const result = await call(ResolverKeys.retryAllDeadLetters, {});
    setBusyKey(null);
    setMessage(result.ok ? { appearance: 'success', text: `${result.data.queued} events queued for delivery.` } : { appearance: 'error', text: result.error.message });
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
      <p className="lede">Events Coralogix refused, or that could not be delivered within 24 hours, are kept here for 30 days.</p>
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
          key: row.key,
          testId: 'dead-letter-row',
          cells: [
            { key: 'when', content: formatTime(row.deadLetteredAt) },
            { key: 'event', content: isEventType(row.eventType) ? EVENT_CATALOG[row.eventType].action : row.eventType },
            { key: 'cause', content: <Lozenge appearance="removed">{CAUSES[row.cause]}</Lozenge> },
            { key: 'reason', content: <span className="reason">{row.reason}</span> },
            { key: 'attempts', content: row.attempts },
            {
              key: 'actions',
              content: (
                <div className="actions">
                  <Button appearance="subtle" onClick={() => act(row.key, 'retry')} isDisabled={busyKey !== null} testId="retry-one">
                    Retry
                  </Button>
                  <Button appearance="subtle" onClick={() => act(row.key, 'discard')} isDisabled={busyKey !== null} testId="discard-one">
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
