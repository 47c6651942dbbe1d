import { useCallback, useEffect, useState } from 'react';
import { view } from '@forge/bridge';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { ResolverKeys, type SettingsState } from '../../../src/shared/contract';
import { DeadLetters } from './DeadLetters';
import { SettingsForm } from './SettingsForm';
import { StatusPanel } from './StatusPanel';
import { applyColorMode } from './theme';
import { useResolver } from './useResolver';

export function App() {
  // Declared before the settings load so the page asks for its theme first, as it always has.
  useEffect(() => {
    view
      .getContext()
      .then((context) => {
        const colorMode = (context as { theme?: { colorMode?: string } }).theme?.colorMode;
        if (colorMode === 'dark' || colorMode === 'light') applyColorMode(colorMode);
      })
      .catch(() => undefined);
  }, []);
  const { data: settings, error } = useResolver(ResolverKeys.getSettings, {});

  return (
    <main className="page">
      <div className="page-header">
        <Heading size="large" as="h1">
          Coralogix
        </Heading>
        <p className="lede">
          Stream this workspace&apos;s repository activity into Coralogix: pushes, pull requests, reviews, comments, builds and deployments.
        </p>
      </div>
      {settings === null && error === null && <Spinner label="Loading settings" />}
      {error?.code === 'forbidden' && (
        <SectionMessage appearance="warning" title="Only workspace admins can use this page" testId="forbidden">
          <p>{error.message}</p>
          <p>Ask an administrator of this workspace to connect it to Coralogix.</p>
        </SectionMessage>
      )}
      {error !== null && error.code !== 'forbidden' && (
        <SectionMessage appearance="error" title="The settings could not be loaded" testId="load-error">
          <p>{error.message}</p>
        </SectionMessage>
      )}
      {settings !== null && <Dashboard settings={settings} />}
    </main>
  );
}

/** The form beside its health on a wide frame, one column on a narrow one; the undelivered events below. */
function Dashboard({ settings }: { settings: SettingsState }) {
  const [statusReloadToken, setStatusReloadToken] = useState(0);
  const reloadStatus = useCallback(() => setStatusReloadToken((token) => token + 1), []);
  // One status read serves the health panel and the undelivered events, so the two never disagree.
  const status = useResolver(ResolverKeys.getStatus, {}, { reloadToken: statusReloadToken });
  return (
    <div className="layout">
      <div className="layout-form">
        <SettingsForm initial={settings} onStatusChange={reloadStatus} />
      </div>
      <div className="layout-status">
        <StatusPanel status={status.data} error={status.error} onRefresh={reloadStatus} />
      </div>
      <div className="layout-backlog">
        <DeadLetters status={status.data} onChanged={reloadStatus} reloadToken={statusReloadToken} />
      </div>
    </div>
  );
}
