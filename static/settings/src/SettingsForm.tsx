import { useState } from 'react';
import type { StoredSettings } from '../../../src/core/settings';
import { validate } from '../../../src/core/validation';
import {
  fieldErrorsOf,
  ResolverKeys,
  saveSettingsInput,
  type SaveSettingsInput,
  type SettingsState,
  type TestEventResult,
} from '../../../src/shared/contract';
import { ApiKeyField } from './ApiKeyField';
import { Card } from './Card';
import { CoverageSelection } from './CoverageSelection';
import { DestinationFields } from './DestinationFields';
import { EventSelection } from './EventSelection';
import { FormActions, type Notice } from './FormActions';
import type { FieldErrors, UpdateSetting } from './settingsDraft';
import { ToggleField } from './ToggleField';
import { useResolver } from './useResolver';

const TEST_TITLES: Record<TestEventResult['outcome'], string> = {
  delivered: 'Test event delivered',
  'key-or-region': 'Wrong key or region',
  refused: 'Coralogix refused the test event',
  'too-large': 'Test event too large',
  unreachable: 'Coralogix could not be reached',
  timeout: 'Coralogix did not answer in time',
  'not-configured': 'Nothing to test yet',
};

export function SettingsForm({ initial, onSaved }: { initial: SettingsState; onSaved: () => void }) {
  const save = useResolver(ResolverKeys.saveSettings);
  const sendTest = useResolver(ResolverKeys.sendTestEvent);
  // What the server holds (the key's hint, the regions): as loaded, then as the last save returned it.
  const stored = save.data ?? initial;
  const [settings, setSettings] = useState<StoredSettings>(initial.settings);
  const [apiKey, setApiKey] = useState('');
  const [replacingKey, setReplacingKey] = useState(initial.apiKeyHint === null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<Notice | null>(null);

  const update: UpdateSetting = (field, value) => {
    setSettings((current) => ({ ...current, [field]: value }));
    setErrors((current) => {
      const { [`settings.${String(field)}`]: _removed, ...rest } = current;
      return rest;
    });
  };

  /** The page checks with the same schema as the server, so most mistakes show before a round trip. */
  const checkedInput = (): SaveSettingsInput | null => {
    setNotice(null);
    const input = { settings, ...(replacingKey && apiKey.trim() !== '' ? { apiKey } : {}) };
    const parsed = validate(saveSettingsInput, input);
    const found: FieldErrors = {};
    if (!parsed.ok) for (const error of fieldErrorsOf(parsed.issues)) found[error.field] ??= error.message;
    if (replacingKey && apiKey.trim() === '' && stored.apiKeyHint === null) found.apiKey = 'An API key is required';
    setErrors(found);
    return Object.keys(found).length === 0 ? input : null;
  };

  const saveSettings = async () => {
    const input = checkedInput();
    if (input === null) return;
    const result = await save.run(input);
    if (!result.ok) {
      const found: FieldErrors = {};
      for (const error of result.error.fieldErrors ?? []) found[error.field] ??= error.message;
      setErrors(found);
      setNotice({ appearance: 'error', title: 'Settings not saved', body: result.error.message, testId: 'save-error' });
      return;
    }
    setSettings(result.data.settings);
    setApiKey('');
    setReplacingKey(false);
    setNotice({
      appearance: 'success',
      title: 'Settings saved',
      body: 'New events are sent with these settings within half a minute.',
      testId: 'save-success',
    });
    onSaved();
  };

  const sendTestEvent = async () => {
    const input = checkedInput();
    if (input === null) return;
    const result = await sendTest.run(input);
    if (!result.ok) {
      setNotice({ appearance: 'error', title: 'Test not sent', body: result.error.message, testId: 'test-result' });
      return;
    }
    const delivered = result.data.outcome === 'delivered';
    setNotice({
      appearance: delivered ? 'success' : 'error',
      title: TEST_TITLES[result.data.outcome],
      body: result.data.message,
      testId: 'test-result',
    });
  };

  return (
    <Card headingId="connection-heading" title="Connection">
      <ApiKeyField
        hint={stored.apiKeyHint}
        replacing={replacingKey}
        value={apiKey}
        error={errors.apiKey}
        onChange={setApiKey}
        onReplace={() => setReplacingKey(true)}
      />
      <DestinationFields regions={stored.regions} settings={settings} errors={errors} update={update} />
      <ToggleField
        id="forwarding"
        label="Forward events to Coralogix"
        isChecked={settings.forwardingEnabled}
        onToggle={() => update('forwardingEnabled', !settings.forwardingEnabled)}
      />
      <ToggleField
        id="omit-free-text"
        label="Leave out free text: commit messages, titles, descriptions"
        isChecked={settings.omitFreeText}
        onToggle={() => update('omitFreeText', !settings.omitFreeText)}
        help="Email addresses are never forwarded. Account ids and display names are."
      />
      <CoverageSelection coverage={settings.coverage} onChange={(coverage) => update('coverage', coverage)} />
      <EventSelection
        forwardedEvents={settings.forwardedEvents}
        coverage={settings.coverage}
        error={errors['settings.forwardedEvents']}
        onChange={(events) => update('forwardedEvents', events)}
      />
      <FormActions notice={notice} saving={save.loading} testing={sendTest.loading} onSave={saveSettings} onSendTest={sendTestEvent} />
    </Card>
  );
}
