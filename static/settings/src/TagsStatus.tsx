import { useEffect, useState } from 'react';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import SectionMessage from '@atlaskit/section-message';
import { ResolverKeys, type TagRow, type VersionTagsStatus } from '../../../src/shared/contract';
import { ago, asSentence, formatTime, plural } from './format';
import { useResolver, type ResolverError } from './useResolver';

const CAUSES: Record<TagRow['cause'], string> = {
  configuration: 'Tags key or region',
  malformed: 'Refused',
  'too-large': 'Too large',
  unavailable: 'Coralogix unavailable',
  'not-configured': 'Not configured',
  'forwarding-disabled': 'Forwarding off',
};

type Message = { appearance: 'success' | 'error' | 'information'; text: string };

const failure = (error: ResolverError): Message => ({ appearance: 'error', text: error.message });

function waitingSentence(status: VersionTagsStatus): string {
  const waiting = `${plural(status.waiting, 'version tag waits', 'version tags wait')} to be created.`;
  const why = status.reason === null ? '' : ` ${asSentence(status.reason)}`;
  const next =
    status.nextAttemptAt === null ? ' Press Retry all to try them now.' : ` Next try ${formatTime(status.nextAttemptAt)}, automatically.`;
  return `${waiting}${why}${next}`;
}

interface TagsStatusProps {
  /** Undefined from a server that predates version tags: then there is nothing to show. */
  status: VersionTagsStatus | undefined;
  /** Asks the status panel to load again after an action changed what waits. */
  onChanged: () => void;
}

/** The version tags' part of the delivery health: on or off, the last one created, and the ones waiting. */
export function TagsStatus({ status, onChanged }: TagsStatusProps) {
  const list = useResolver(ResolverKeys.listTags);
  const retryEvery = useResolver(ResolverKeys.retryAllTags);
  const discardOne = useResolver(ResolverKeys.discardTag);
  const [message, setMessage] = useState<Message | null>(null);
  const { run: loadList } = list;
  const waiting = status?.waiting ?? 0;

  // Each new status (loaded, refreshed, or after an action here) brings the list up to date with it.
  useEffect(() => {
    if (waiting > 0) void loadList({});
  }, [status, waiting, loadList]);

  if (status === undefined) return null;
  const rows = waiting > 0 ? (list.data?.items ?? []) : [];
  const busy = retryEvery.loading || discardOne.loading;
  const shown = message ?? (list.error && failure(list.error));

  const retryAll = async () => {
    const result = await retryEvery.run({});
    setMessage(
      result.ok
        ? {
            appearance: 'success',
            text:
              result.data.waiting === 1
                ? 'Creating the waiting version tag in the background.'
                : `Creating the ${result.data.waiting} waiting version tags in the background, oldest first.`,
          }
        : failure(result.error),
    );
    onChanged();
  };

  const discard = async (id: string) => {
    const result = await discardOne.run({ id });
    setMessage(result.ok ? { appearance: 'information', text: 'Discarded: that version tag will not be created.' } : failure(result.error));
    onChanged();
  };

  return (
    <section className="field" aria-labelledby="tags-status-heading" data-testid="tags-status">
      <div className="actions">
        <Heading size="small" as="h3" id="tags-status-heading">
          Version tags
        </Heading>
        <Lozenge appearance={status.enabled ? 'success' : 'default'} testId="tags-enabled">
          {status.enabled ? 'On' : 'Off'}
        </Lozenge>
        {waiting > 0 && (
          <Button appearance="subtle" onClick={retryAll} isDisabled={busy} testId="retry-all-tags">
            Retry all
          </Button>
        )}
      </div>
      <dl className="facts">
        <dt>Last tag created</dt>
        <dd data-testid="last-tag" title={status.lastCreated ? formatTime(status.lastCreated.at) : undefined}>
          {status.lastCreated ? `${status.lastCreated.name}, ${ago(status.lastCreated.at)}` : 'none yet'}
        </dd>
        <dt>Waiting</dt>
        <dd data-testid="tags-waiting">{waiting === 0 ? 'none' : plural(waiting, 'version tag', 'version tags')}</dd>
      </dl>
      {status.dropped > 0 && (
        <SectionMessage appearance="warning" testId="tags-dropped">
          <p>
            {plural(status.dropped, 'version tag was', 'version tags were')} dropped to stay within the capacity of the tags waiting to be
            created.
          </p>
        </SectionMessage>
      )}
      {waiting > 0 && (
        <SectionMessage appearance="information" testId="tags-waiting-summary">
          <p>{waitingSentence(status)}</p>
        </SectionMessage>
      )}
      {shown && (
        <SectionMessage appearance={shown.appearance} testId="tags-message">
          <p>{shown.text}</p>
        </SectionMessage>
      )}
      {rows.length > 0 && (
        <DynamicTable
          testId="tags-table"
          head={{
            cells: [
              { key: 'name', content: 'Tag' },
              { key: 'repository', content: 'Repository' },
              { key: 'environment', content: 'Environment' },
              { key: 'reason', content: 'Why it waits' },
              { key: 'attempts', content: 'Attempts' },
              { key: 'actions', content: '' },
            ],
          }}
          rows={rows.map((row) => ({
            key: row.id,
            testId: 'tag-row',
            cells: [
              { key: 'name', content: <span className="reason">{row.name}</span> },
              { key: 'repository', content: row.repository ?? 'unknown' },
              { key: 'environment', content: row.environment ?? 'unknown' },
              {
                key: 'reason',
                content: (
                  <>
                    <Lozenge appearance="moved">{CAUSES[row.cause]}</Lozenge> <span className="reason">{row.reason}</span>
                  </>
                ),
              },
              { key: 'attempts', content: row.attempts },
              {
                key: 'actions',
                content: (
                  <Button
                    appearance="subtle"
                    onClick={() => discard(row.id)}
                    isDisabled={busy}
                    testId="discard-tag"
                    aria-label={`Discard the version tag ${row.name}`}
                  >
                    Discard
                  </Button>
                ),
              },
            ],
          }))}
        />
      )}
    </section>
  );
}
