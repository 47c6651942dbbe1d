import { useState } from 'react';
import Button from '@atlaskit/button/new';
import { Checkbox } from '@atlaskit/checkbox';
import { ErrorMessage, HelperMessage, Label } from '@atlaskit/form';
import SectionMessage from '@atlaskit/section-message';
import Textfield from '@atlaskit/textfield';
import Toggle from '@atlaskit/toggle';
import {
  ENVIRONMENT_TYPES,
  NAME_MAX_LENGTH,
  TAG_NAME_MAX_LENGTH,
  type EnvironmentType,
  type StoredSettings,
  type VersionTagSettings,
} from '../../../src/core/settings';
import { TAG_NAME_PLACEHOLDERS } from '../../../src/core/template';
import { validate } from '../../../src/core/validation';
import { fieldErrorsOf, ResolverKeys, sendTestTagInput, type SettingsState, type TestTagResult } from '../../../src/shared/contract';
import { ApiKeyField } from './ApiKeyField';
import { FieldGroup } from './FieldGroup';
import type { Notice } from './FormActions';
import { missingTagsKey, tagsKeyPayload, type FieldErrors, type KeyDraft } from './settingsDraft';
import { useResolver } from './useResolver';

const ENVIRONMENT_LABELS: Record<EnvironmentType, string> = { PRODUCTION: 'Production', STAGING: 'Staging', TEST: 'Test' };

const TEST_TAG_TITLES: Record<TestTagResult['outcome'], string> = {
  delivered: 'Test tag created',
  'key-or-region': 'Wrong tags key or region',
  refused: 'Coralogix refused the test tag',
  'too-large': 'Test tag too large',
  unreachable: 'Coralogix could not be reached',
  timeout: 'Coralogix did not answer in time',
  'not-configured': 'Nothing to test yet',
};

const KEY_HELP =
  'A Coralogix API key with the CICD integration preset (Settings → API Keys), not the Send-Your-Data key: that key cannot create tags. It is stored as a secret and never shown again.';

const TAG_FIELDS = [
  {
    setting: 'applicationName',
    id: 'tags-application-name',
    label: 'Tag application name',
    help: 'The Coralogix application the release is marked in: the one your deployed services log under.',
  },
  {
    setting: 'subsystemName',
    id: 'tags-subsystem-name',
    label: 'Tag subsystem name',
    help: 'The subsystem the release is marked in, e.g. the deployed service.',
  },
] as const;

interface TagsSettingsProps {
  /** The whole form, unsaved: the test tag is sent with it. */
  settings: StoredSettings;
  regions: SettingsState['regions'];
  keyHint: string | null;
  keyDraft: KeyDraft;
  errors: FieldErrors;
  onChange: (versionTags: VersionTagSettings) => void;
  onKeyDraftChange: (draft: KeyDraft) => void;
  /** Shows the test's field errors where the form shows the save's. */
  onErrors: (errors: FieldErrors) => void;
}

/** Successful deployments as Coralogix version tags, so Version Benchmarks compare before and after a release. */
export function TagsSettings({ settings, regions, keyHint, keyDraft, errors, onChange, onKeyDraftChange, onErrors }: TagsSettingsProps) {
  const sendTest = useResolver(ResolverKeys.sendTestTag);
  const [notice, setNotice] = useState<Notice | null>(null);
  const tags = settings.versionTags;
  const region = regions.find((candidate) => candidate.id === settings.region);
  const offered = region?.versionTags ?? true;
  const set = <K extends keyof VersionTagSettings>(field: K, value: VersionTagSettings[K]) => onChange({ ...tags, [field]: value });

  const toggle = () => {
    // Turning tags on keeps the stored key: a removal is only possible while they are off.
    if (!tags.enabled && keyDraft.removing) onKeyDraftChange({ ...keyDraft, removing: false });
    set('enabled', !tags.enabled);
  };

  const setEnvironment = (type: EnvironmentType, on: boolean) =>
    // In the catalog's order, whatever order they were ticked in.
    set(
      'environmentTypes',
      ENVIRONMENT_TYPES.filter((candidate) => (candidate === type ? on : tags.environmentTypes.includes(candidate))),
    );

  const sendTestTag = async () => {
    setNotice(null);
    const { tagsApiKey } = tagsKeyPayload(keyDraft, tags.enabled);
    const input = { settings, ...(tagsApiKey === undefined ? {} : { tagsApiKey }) };
    const parsed = validate(sendTestTagInput, input);
    const found: FieldErrors = {};
    if (!parsed.ok) for (const error of fieldErrorsOf(parsed.issues)) found[error.field] ??= error.message;
    const missing = missingTagsKey(keyDraft, keyHint, tags.enabled);
    if (missing !== undefined) found.tagsApiKey ??= missing;
    onErrors(found);
    if (Object.keys(found).length > 0) return;
    const result = await sendTest.run(input);
    if (!result.ok) {
      onErrors(Object.fromEntries((result.error.fieldErrors ?? []).map((error) => [error.field, error.message])));
      setNotice({ appearance: 'error', title: 'Test tag not sent', body: result.error.message, testId: 'test-tag-result' });
      return;
    }
    const { outcome, message, name } = result.data;
    setNotice({
      appearance: outcome === 'delivered' ? 'success' : 'error',
      title: TEST_TAG_TITLES[outcome],
      body: name === undefined || message.includes(name) ? message : `${message} Tag name: ${name}`,
      testId: 'test-tag-result',
    });
  };

  const enabledError = errors['settings.versionTags.enabled'];
  return (
    <FieldGroup title="Deployment version tags">
      <p className="lede">
        Each successful Bitbucket deployment to a chosen environment becomes a Coralogix version tag, so Version Benchmarks compare error
        rates before and after the release. Deployments are forwarded as log entries either way.
      </p>
      {!offered && region && (
        <SectionMessage appearance="information" testId="tags-unavailable">
          <p>
            Coralogix offers no version tags in the {region.label} region: it takes logs, metrics and traces only. Deployments from this
            workspace still reach Coralogix as log entries.
          </p>
        </SectionMessage>
      )}
      <div className="field">
        <div className="key-set">
          {/* A region without tags disables the switch, except to turn off tags that were on before the region changed. */}
          <Toggle
            id="version-tags"
            isChecked={tags.enabled}
            isDisabled={!offered && !tags.enabled}
            onChange={toggle}
            testId="version-tags"
          />
          <Label htmlFor="version-tags">Create a version tag for each successful deployment</Label>
        </div>
        {enabledError && <ErrorMessage testId="version-tags-error">{enabledError}</ErrorMessage>}
      </div>

      {!tags.enabled && keyHint !== null && (
        <div className="key-set" data-testid="tags-key-stored">
          {keyDraft.removing ? (
            <>
              <span>The tags API key ending in ••••{keyHint} is removed when you save.</span>
              <Button appearance="subtle" onClick={() => onKeyDraftChange({ ...keyDraft, removing: false })} testId="keep-tags-key">
                Keep key
              </Button>
            </>
          ) : (
            <>
              <span>A tags API key ending in ••••{keyHint} is kept for when tags are on again.</span>
              <Button
                appearance="subtle"
                onClick={() => onKeyDraftChange({ value: '', replacing: false, removing: true })}
                testId="remove-tags-key"
              >
                Remove key
              </Button>
            </>
          )}
        </div>
      )}

      {tags.enabled && (
        <>
          <ApiKeyField
            id="tags-api-key"
            label="Tags API key"
            help={KEY_HELP}
            replaceTestId="replace-tags-key"
            hint={keyHint}
            replacing={keyDraft.replacing}
            value={keyDraft.value}
            error={errors.tagsApiKey}
            onChange={(value) => onKeyDraftChange({ ...keyDraft, value })}
            onReplace={() => onKeyDraftChange({ ...keyDraft, replacing: true })}
          />

          <fieldset className="field events">
            <legend className="group-label">Environments to tag</legend>
            <div className="actions">
              {ENVIRONMENT_TYPES.map((type) => (
                <Checkbox
                  key={type}
                  label={ENVIRONMENT_LABELS[type]}
                  isChecked={tags.environmentTypes.includes(type)}
                  isInvalid={errors['settings.versionTags.environmentTypes'] !== undefined}
                  onChange={(event) => setEnvironment(type, event.currentTarget.checked)}
                  testId={`tags-environment-${type}`}
                />
              ))}
            </div>
            {errors['settings.versionTags.environmentTypes'] ? (
              <ErrorMessage testId="tags-environments-error">{errors['settings.versionTags.environmentTypes']}</ErrorMessage>
            ) : (
              <HelperMessage>By the environment&apos;s type in Bitbucket&apos;s deployment settings.</HelperMessage>
            )}
          </fieldset>

          <div className="field">
            <Label htmlFor="tags-name-template">Tag name</Label>
            <Textfield
              id="tags-name-template"
              value={tags.nameTemplate}
              maxLength={TAG_NAME_MAX_LENGTH + 20}
              onChange={(event) => set('nameTemplate', event.currentTarget.value)}
              isInvalid={errors['settings.versionTags.nameTemplate'] !== undefined}
              aria-describedby="tags-name-placeholders"
              testId="tags-name-template"
            />
            {errors['settings.versionTags.nameTemplate'] && (
              <ErrorMessage testId="tags-name-template-error">{errors['settings.versionTags.nameTemplate']}</ErrorMessage>
            )}
            <p className="muted placeholders" id="tags-name-placeholders" data-testid="tags-name-placeholders">
              Placeholders, filled in from each deployment:{' '}
              {TAG_NAME_PLACEHOLDERS.map((placeholder, index) => (
                <span key={placeholder}>
                  {index > 0 && ', '}
                  <code>{`{${placeholder}}`}</code>
                </span>
              ))}
              .
            </p>
          </div>

          <div className="row">
            {TAG_FIELDS.map((field) => {
              const error = errors[`settings.versionTags.${field.setting}`];
              return (
                <div className="field" key={field.id}>
                  <Label htmlFor={field.id}>{field.label}</Label>
                  <Textfield
                    id={field.id}
                    value={tags[field.setting]}
                    maxLength={NAME_MAX_LENGTH + 20}
                    onChange={(event) => set(field.setting, event.currentTarget.value)}
                    isInvalid={error !== undefined}
                    testId={field.id}
                  />
                  {error ? <ErrorMessage testId={`${field.id}-error`}>{error}</ErrorMessage> : <HelperMessage>{field.help}</HelperMessage>}
                </div>
              );
            })}
          </div>

          {notice && (
            <SectionMessage appearance={notice.appearance} title={notice.title} testId={notice.testId}>
              <p>{notice.body}</p>
            </SectionMessage>
          )}
          <div className="actions">
            <Button onClick={sendTestTag} isLoading={sendTest.loading} isDisabled={sendTest.loading} testId="send-test-tag">
              Send test tag
            </Button>
          </div>
        </>
      )}
    </FieldGroup>
  );
}
