import { useCallback, useEffect, useState } from 'react';
import { view } from '@forge/bridge';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { ResolverKeys, type SettingsState } from '../../../src/shared/contract';
import { call } from './api';
import { DeadLetters } from './DeadLetters';
import { SettingsForm } from './SettingsForm';
import { StatusPanel } from './StatusPanel';
import { applyColorMode } from './theme';

type Load = { state: 'loading' } | { state: 'forbidden'; message: string } | { state: 'error'; message: string } | { state: 'ready'; settings: SettingsState };

export function App() {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [statusVersion, setStatusVersion] = useState(0);
  const refreshStatus = useCallback(() => setStatusVersion((version) => version + 1), []);

  useEffect(() => {
    view
      .getContext()
      .then((context) => {
        const colorMode = (context as { theme?: { colorMode?: string } }).theme?.colorMode;
        if (colorMode === 'dark' || colorMode === 'light') applyColorMode(colorMode);
      })
      .catch(() => undefined);
    void call(ResolverKeys.getSettings, {}).then((result) => {
      if (result.ok) setLoad({ state: 'ready', settings: result.data });
      else if (result.error.code === 'forbidden') setLoad({ state: 'forbidden', message: result.error.message });
      else setLoad({ state: 'error', message: result.error.message });
    });
  }, []);

  return (
    <main className="page">
      <div>
        <Heading size="large" as="h1">
          Coralogix
        </Heading>
        <p className="lede">Stream this workspace&apos;s repository activity into Coralogix: pushes, pull requests, reviews, comments, builds and deployments.</p>
      </div>
      {load.state === 'loading' && <Spinner label="Loading settings" />}
      {load.state === 'forbidden' && (
        <SectionMessage appearance="warning" title="Only workspace admins can use this page" testId="forbidden">
          <p>{load.message}</p>
          <p>Ask an administrator of this workspace to connect it to Coralogix.</p>
        </SectionMessage>
      )}
      {load.state === 'error' && (
        <SectionMessage appearance="error" title="The settings could not be loaded" testId="load-error">
          <p>{load.message}</p>
        </SectionMessage>
      )}
      {load.state === 'ready' && (
        <>
          <SettingsForm initial={load.settings} onSaved={refreshStatus} />
          <StatusPanel version={statusVersion} />
          <DeadLetters onChanged={refreshStatus} />
        </>
      )}
    </main>
  );
}
