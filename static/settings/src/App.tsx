import { useCallback, useEffect, useState } from 'react';
import { view } from '@forge/bridge';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { ResolverKeys } from '../../../src/shared/contract';
import { DeadLetters } from './DeadLetters';
import { SettingsForm } from './SettingsForm';
import { StatusPanel } from './StatusPanel';
import { applyColorMode } from './theme';
import { useResolver } from './useResolver';

export function App() {
  const [statusReloadToken, setStatusReloadToken] = useState(0);
  const reloadStatus = useCallback(() => setStatusReloadToken((token) => token + 1), []);

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
      <div>
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
      {settings !== null && (
        <>
          <SettingsForm initial={settings} onSaved={reloadStatus} />
          <StatusPanel reloadToken={statusReloadToken} />
          <DeadLetters onChanged={reloadStatus} />
        </>
      )}
    </main>
  );
}
