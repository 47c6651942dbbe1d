import { useState } from 'react';
import Button from '@atlaskit/button/new';
import { Checkbox } from '@atlaskit/checkbox';
import { ErrorMessage, HelperMessage, Label } from '@atlaskit/form';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import Select from '@atlaskit/select';
import Textfield from '@atlaskit/textfield';
import Toggle from '@atlaskit/toggle';
import {
  AUDIT_AREAS,
  COVERAGE_SETTINGS,
  coverageAdmits,
  EVENT_CATALOG,
  EVENT_FAMILIES,
  eventTypesOfFamily,
  type AuditArea,
  type CoverageSetting,
  type EventFamily,
  type EventType,
} from '../../../src/core/catalog';
import { TEMPLATE_PLACEHOLDERS } from '../../../src/core/template';
import type { RegionId } from '../../../src/core/regions';
import { NAME_MAX_LENGTH, type StoredSettings } from '../../../src/core/settings';
import { fieldErrorsOf, ResolverKeys, saveSettingsInput, type SettingsState, type TestEventResult } from '../../../src/shared/contract';
import { validate } from '../../../src/core/validation';
import { call } from './api';

const FAMILY_LABELS: Record<EventFamily, string> = {
  repository: 'Repositories',
  'build-status': 'Builds',
  'commit-comment': 'Commit comments',
  pullrequest: 'Pull requests',
  'pullrequest-comment': 'Pull request comments',
  'pullrequest-reviewer': 'Reviews',
  deployment: 'Deployments',
};

const AREA_LABELS: Record<AuditArea, string> = { REPOSITORY: 'Repositories', PULL_REQUEST: 'Pull requests', PIPELINES: 'Pipelines' };
const COVERAGE_LABELS: Record<CoverageSetting, string> = {
  OFF: 'Off',
  BASE: 'Base: the essential trail',
  ADVANCED: 'Advanced: plus day-to-day activity',
  FULL: 'Full: everything',
};
const LEVEL_LABELS = { BASE: 'Base', ADVANCED: 'Advanced', FULL: 'Full' } as const;

type Notice = { appearance: 'success' | 'error' | 'warning'; title: string; body: string; testId: string } | null;

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
  const [settings, setSettings] = useState<StoredSettings>(initial.settings);
  const [state, setState] = useState<SettingsState>(initial);
  const [apiKey, setApiKey] = useState('');
  const [replacingKey, setReplacingKey] = useState(initial.apiKeyHint === null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'saving' | 'testing' | null>(null);
  const [notice, setNotice] = useState<Notice>(null);

  const update = <K extends keyof StoredSettings>(field: K, value: StoredSettings[K]) => {
    setSettings((current) => ({ ...current, [field]: value }));
    setErrors((current) => {
      const { [`settings.${String(field)}`]: _removed, ...rest } = current;
      return rest;
    });
  };

  const formInput = () => ({ settings, ...(replacingKey && apiKey.trim() !== '' ? { apiKey } : {}) });

  /** The page checks with the same schema as the server, so most mistakes show before a round trip. */
  const checkForm = (): boolean => {
    const parsed = validate(saveSettingsInput, formInput());
    const found: Record<string, string> = {};
    if (!parsed.ok) for (const error of fieldErrorsOf(parsed.issues)) found[error.field] ??= error.message;
    if (replacingKey && apiKey.trim() === '' && state.apiKeyHint === null) found.apiKey = 'An API key is required';
    setErrors(found);
    return Object.keys(found).length === 0;
  };

  const save = async () => {
    setNotice(null);
    if (!checkForm()) return;
    setBusy('saving');
    const result = await call(ResolverKeys.saveSettings, formInput());
    setBusy(null);
    if (result.ok) {
      setState(result.data);
      setSettings(result.data.settings);
      setApiKey('');
      setReplacingKey(false);
      setNotice({ appearance: 'success', title: 'Settings saved', body: 'New events are sent with these settings within half a minute.', testId: 'save-success' });
      onSaved();
    } else {
      const found: Record<string, string> = {};
      for (const error of result.error.fieldErrors ?? []) found[error.field] ??= error.message;
      setErrors(found);
      setNotice({ appearance: 'error', title: 'Settings not saved', body: result.error.message, testId: 'save-error' });
    }
  };

  const sendTest = async () => {
    setNotice(null);
    if (!checkForm()) return;
    setBusy('testing');
    const result = await call(ResolverKeys.sendTestEvent, formInput());
    setBusy(null);
    if (!result.ok) {
      setNotice({ appearance: 'error', title: 'Test not sent', body: result.error.message, testId: 'test-result' });
      return;
    }
    const delivered = result.data.outcome === 'delivered';
    setNotice({ appearance: delivered ? 'success' : 'error', title: TEST_TITLES[result.data.outcome], body: result.data.message, testId: 'test-result' });
  };

  const regionOptions = state.regions.map((region) => ({ label: `${region.label} — ${region.domain}`, value: region.id }));
  const selected = new Set(settings.forwardedEvents);
  const setEvents = (types: EventType[], on: boolean) => {
    const next = new Set(selected);
    for (const type of types) {
      if (on) next.add(type);
      else next.delete(type);
    }
    update('forwardedEvents', Object.keys(EVENT_CATALOG).filter((type) => next.has(type as EventType)) as EventType[]);
  };

  return (
    <section className="card" aria-labelledby="connection-heading">
      <Heading size="medium" as="h2" id="connection-heading">
        Connection
      </Heading>

      <div className="field">
        <Label htmlFor="api-key">Send-Your-Data API key</Label>
        {replacingKey ? (
          <>
            <Textfield
              id="api-key"
              type="password"
              autoComplete="off"
              value={apiKey}
              onChange={(event) => setApiKey(event.currentTarget.value)}
              isInvalid={errors.apiKey !== undefined}
              testId="api-key"
              placeholder={state.apiKeyHint ? 'Paste the new key' : 'Paste your key'}
            />
            {errors.apiKey ? (
              <ErrorMessage testId="api-key-error">{errors.apiKey}</ErrorMessage>
            ) : (
              <HelperMessage>From Coralogix → Data Flow → API Keys. It is stored as a secret and never shown again.</HelperMessage>
            )}
          </>
        ) : (
          <div className="key-set">
            <span data-testid="api-key-hint">A key ending in ••••{state.apiKeyHint} is set.</span>
            <Button appearance="subtle" onClick={() => setReplacingKey(true)} testId="replace-key">
              Replace key
            </Button>
          </div>
        )}
      </div>

      <div className="field">
        <Label htmlFor="region">Region</Label>
        <Select
          inputId="region"
          options={regionOptions}
          value={regionOptions.find((option) => option.value === settings.region)}
          onChange={(option) => option && update('region', option.value as RegionId)}
          testId="region"
        />
        <HelperMessage>The region of your Coralogix account: the domain you sign in to.</HelperMessage>
      </div>

      <div className="row">
        <NameField id="application-name" label="Application name" value={settings.applicationName} error={errors['settings.applicationName']} onChange={(value) => update('applicationName', value)} help="Usually the environment, e.g. production." />
        <NameField
          id="subsystem-name"
          label="Subsystem name"
          value={settings.subsystemName}
          error={errors['settings.subsystemName']}
          onChange={(value) => update('subsystemName', value)}
          help={`Usually the component, e.g. bitbucket. To split by repository or project, use ${TEMPLATE_PLACEHOLDERS.slice(0, 4)
            .map((name) => `{${name}}`)
            .join(', ')} …`}
        />
      </div>

      <div className="field">
        <div className="key-set">
          <Toggle id="forwarding" isChecked={settings.forwardingEnabled} onChange={() => update('forwardingEnabled', !settings.forwardingEnabled)} testId="forwarding" />
          <Label htmlFor="forwarding">Forward events to Coralogix</Label>
        </div>
      </div>

      <div className="field">
        <div className="key-set">
          <Toggle id="omit-free-text" isChecked={settings.omitFreeText} onChange={() => update('omitFreeText', !settings.omitFreeText)} testId="omit-free-text" />
          <Label htmlFor="omit-free-text">Leave out free text: commit messages, titles, descriptions</Label>
        </div>
        <HelperMessage>Email addresses are never forwarded. Account ids and display names are.</HelperMessage>
      </div>

      <fieldset className="field events">
        <legend>
          <Heading size="small" as="h3">
            Coverage
          </Heading>
        </legend>
        <p className="lede">As in Bitbucket Data Center&apos;s audit log: per area, forward nothing, or everything up to a level.</p>
        <div className="row">
          {AUDIT_AREAS.map((area) => {
            const options = COVERAGE_SETTINGS.map((setting) => ({ label: COVERAGE_LABELS[setting], value: setting }));
            return (
              <div className="field" key={area}>
                <Label htmlFor={`coverage-${area}`}>{AREA_LABELS[area]}</Label>
                <Select
                  inputId={`coverage-${area}`}
                  options={options}
                  value={options.find((option) => option.value === settings.coverage[area])}
                  onChange={(option) => option && update('coverage', { ...settings.coverage, [area]: option.value })}
                  testId={`coverage-${area}`}
                />
              </div>
            );
          })}
        </div>
      </fieldset>

      <fieldset className="field events">
        <legend>
          <Heading size="small" as="h3">
            Events to forward
          </Heading>
        </legend>
        <div className="families">
          {EVENT_FAMILIES.map((family) => {
            const types = eventTypesOfFamily(family);
            const on = types.filter((type) => selected.has(type)).length;
            return (
              <div className="family" key={family}>
                <Checkbox
                  label={FAMILY_LABELS[family]}
                  isChecked={on === types.length}
                  isIndeterminate={on > 0 && on < types.length}
                  onChange={() => setEvents(types, on < types.length)}
                  testId={`family-${family}`}
                />
                <ul>
                  {types.map((type) => {
                    const { action, area, level } = EVENT_CATALOG[type];
                    const covered = coverageAdmits(settings.coverage[area], level);
                    return (
                      <li key={type}>
                        <Checkbox
                          label={`${action} · ${LEVEL_LABELS[level]}${covered ? '' : ' (outside coverage)'}`}
                          isChecked={selected.has(type)}
                          isDisabled={!covered}
                          onChange={() => setEvents([type], !selected.has(type))}
                          testId={`event-${type}`}
                        />
                      </li>
                    );
                  })}
                </ul>
              </div>
            );
          })}
        </div>
        {errors['settings.forwardedEvents'] && <ErrorMessage>{errors['settings.forwardedEvents']}</ErrorMessage>}
      </fieldset>

      {notice && (
        <SectionMessage appearance={notice.appearance} title={notice.title} testId={notice.testId}>
          <p>{notice.body}</p>
        </SectionMessage>
      )}

      <div className="actions">
        <Button appearance="primary" onClick={save} isLoading={busy === 'saving'} isDisabled={busy !== null} testId="save">
          Save
        </Button>
        <Button onClick={sendTest} isLoading={busy === 'testing'} isDisabled={busy !== null} testId="send-test">
          Send test event
        </Button>
      </div>
    </section>
  );
}

function NameField(props: { id: string; label: string; value: string; error: string | undefined; help: string; onChange: (value: string) => void }) {
  return (
    <div className="field">
      <Label htmlFor={props.id}>{props.label}</Label>
      <Textfield id={props.id} value={props.value} maxLength={NAME_MAX_LENGTH + 20} onChange={(event) => props.onChange(event.currentTarget.value)} isInvalid={props.error !== undefined} testId={props.id} />
      {props.error ? <ErrorMessage testId={`${props.id}-error`}>{props.error}</ErrorMessage> : <HelperMessage>{props.help}</HelperMessage>}
    </div>
  );
}
