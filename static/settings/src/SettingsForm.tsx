import { useEffect, useRef, useState, type FormEvent } from 'react';
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
import { coverageOf, normalizedChoice, withCoverage, withEvents } from './coverageChoice';
import { invalidControls } from './ErrorSummary';
import { FormActions, type Notice } from './FormActions';
import { RepositoryScope } from './RepositoryScope';
import { draftOf, keyDraftOf, missingTagsKey, tagsKeyPayload, type FieldErrors, type UpdateSetting } from './settingsDraft';
import { TagsSettings } from './TagsSettings';
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

/** `onStatusChange`: a save or a test of the saved key changed what Delivery health shows. */
export function SettingsForm({ initial, onStatusChange }: { initial: SettingsState; onStatusChange: () => void }) {
  const save = useResolver(ResolverKeys.saveSettings);
  const sendTest = useResolver(ResolverKeys.sendTestEvent);
  // What the server holds (the key's hint, the regions): as loaded, then as the last save returned it.
  const stored = save.data ?? initial;
  const [settings, setSettings] = useState<StoredSettings>(() => coverageOf(draftOf(initial.settings)));
  const [apiKey, setApiKey] = useState('');
  const [replacingKey, setReplacingKey] = useState(initial.apiKeyHint === null);
  const [tagsKey, setTagsKey] = useState(() => keyDraftOf(initial.tagsApiKeyHint));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<Notice | null>(null);
  const form = useRef<HTMLFormElement>(null);
  // Bumped when a Save or test is refused for its fields: focus moves once the messages are drawn.
  const [focusRequest, setFocusRequest] = useState(0);
  const focusFirstError = () => invalidControls(form.current, errors)[0]?.focus();
  // Only a new request moves focus; errors changing as the admin types must not pull it away.
  useEffect(() => {
    if (focusRequest > 0) focusFirstError();
  }, [focusRequest]);

  const update: UpdateSetting = (field, value) => {
    setSettings((current) => ({ ...current, [field]: value }));
    // Nested settings (scope, tags) clear their fields' errors too: the admin is changing them.
    setErrors((current) =>
      Object.fromEntries(
        Object.entries(current).filter(([path]) => path !== `settings.${String(field)}` && !path.startsWith(`settings.${String(field)}.`)),
      ),
    );
  };

  /** Coverage and ticked events change together, so the two never disagree (coverageChoice.ts). */
  const changeChoice = (choice: ReturnType<typeof normalizedChoice>) => {
    update('coverage', choice.coverage);
    update('forwardedEvents', choice.forwardedEvents);
  };

  /** The page checks with the same schema as the server, so most mistakes show before a round trip. */
  const checkedInput = (): SaveSettingsInput | null => {
    setNotice(null);
    const input = {
      settings,
      ...(replacingKey && apiKey.trim() !== '' ? { apiKey } : {}),
      ...tagsKeyPayload(tagsKey, settings.versionTags.enabled),
    };
    const parsed = validate(saveSettingsInput, input);
    const found: FieldErrors = {};
    if (!parsed.ok) for (const error of fieldErrorsOf(parsed.issues)) found[error.field] ??= error.message;
    if (replacingKey && apiKey.trim() === '' && stored.apiKeyHint === null) found.apiKey = 'An API key is required';
    const tagsKeyMissing = missingTagsKey(tagsKey, stored.tagsApiKeyHint, settings.versionTags.enabled);
    if (tagsKeyMissing !== undefined) found.tagsApiKey ??= tagsKeyMissing;
    setErrors(found);
    if (Object.keys(found).length > 0) setFocusRequest((request) => request + 1);
    return Object.keys(found).length === 0 ? input : null;
  };

  const saveSettings = async (event: FormEvent) => {
    event.preventDefault();
    const input = checkedInput();
    if (input === null) return;
    const result = await save.run(input);
    if (!result.ok) {
      const found: FieldErrors = {};
      for (const error of result.error.fieldErrors ?? []) found[error.field] ??= error.message;
      setErrors(found);
      // Field errors have their own summary by the button; a notice would say the same twice.
      if (Object.keys(found).length > 0) setFocusRequest((request) => request + 1);
      else setNotice({ appearance: 'error', title: 'Settings not saved', body: result.error.message, testId: 'save-error' });
      return;
    }
    setSettings(coverageOf(result.data.settings));
    setApiKey('');
    setReplacingKey(false);
    setTagsKey(keyDraftOf(result.data.tagsApiKeyHint));
    setNotice({
      appearance: 'success',
      title: 'Settings saved',
      body: 'New events are sent with these settings within half a minute.',
      testId: 'save-success',
    });
    onStatusChange();
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
      body:
        result.data.countedInHealth === false
          ? `${result.data.message} Save these settings to start sending with them.`
          : result.data.message,
      testId: 'test-result',
    });
    if (result.data.countedInHealth) onStatusChange();
  };

  return (
    <Card headingId="connection-heading" title="Connection">
      <form ref={form} className="form" noValidate onSubmit={saveSettings} aria-labelledby="connection-heading">
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
        <CoverageSelection coverage={settings.coverage} onChange={(area, setting) => changeChoice(withCoverage(settings, area, setting))} />
        <EventSelection
          choice={settings}
          error={errors['settings.forwardedEvents']}
          onToggle={(types, on) => changeChoice(withEvents(settings, types, on))}
        />
        <RepositoryScope scope={settings.repositoryScope} errors={errors} onChange={(scope) => update('repositoryScope', scope)} />
        <TagsSettings
          settings={settings}
          regions={stored.regions}
          keyHint={stored.tagsApiKeyHint}
          keyDraft={tagsKey}
          errors={errors}
          onChange={(versionTags) => update('versionTags', versionTags)}
          onKeyDraftChange={(draft) => {
            setTagsKey(draft);
            setErrors(({ tagsApiKey: _removed, ...rest }) => rest);
          }}
          onErrors={setErrors}
        />
        <FormActions
          notice={notice}
          errors={errors}
          saving={save.loading}
          testing={sendTest.loading}
          onSendTest={sendTestEvent}
          onFocusFirstError={focusFirstError}
        />
      </form>
    </Card>
  );
}
