import { ErrorMessage, HelperMessage, Label } from '@atlaskit/form';
import Select from '@atlaskit/select';
import Textfield from '@atlaskit/textfield';
import type { RegionId } from '../../../src/core/regions';
import { NAME_MAX_LENGTH, type StoredSettings } from '../../../src/core/settings';
import { TEMPLATE_PLACEHOLDERS } from '../../../src/core/template';
import type { SettingsState } from '../../../src/shared/contract';
import type { FieldErrors, UpdateSetting } from './settingsDraft';

interface DestinationFieldsProps {
  regions: SettingsState['regions'];
  settings: Pick<StoredSettings, 'region' | 'applicationName' | 'subsystemName'>;
  errors: FieldErrors;
  update: UpdateSetting;
}

// Every placeholder, so none is discovered only through a mistake.
const SUBSYSTEM_HELP = `Usually the component, e.g. bitbucket. To split by repository or project, use any of ${TEMPLATE_PLACEHOLDERS.map(
  (name) => `{${name}}`,
).join(', ')}.`;

const NAME_FIELDS = [
  { setting: 'applicationName', id: 'application-name', label: 'Application name', help: 'Usually the environment, e.g. production.' },
  { setting: 'subsystemName', id: 'subsystem-name', label: 'Subsystem name', help: SUBSYSTEM_HELP },
] as const;

/** Where in Coralogix the entries land: the account's region, then the application and subsystem. */
export function DestinationFields({ regions, settings, errors, update }: DestinationFieldsProps) {
  const regionOptions = regions.map((region) => ({ label: `${region.label} — ${region.domain}`, value: region.id }));
  return (
    <>
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
        {NAME_FIELDS.map((field) => (
          <NameField
            key={field.id}
            id={field.id}
            label={field.label}
            value={settings[field.setting]}
            error={errors[`settings.${field.setting}`]}
            onChange={(value) => update(field.setting, value)}
            help={field.help}
          />
        ))}
      </div>
    </>
  );
}

function NameField(props: {
  id: string;
  label: string;
  value: string;
  error: string | undefined;
  help: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <Label htmlFor={props.id}>{props.label}</Label>
      {/* Above the limit, so a name a little too long is explained rather than cut short silently. */}
      <Textfield
        id={props.id}
        value={props.value}
        maxLength={NAME_MAX_LENGTH + 20}
        onChange={(event) => props.onChange(event.currentTarget.value)}
        isInvalid={props.error !== undefined}
        testId={props.id}
      />
      {props.error ? <ErrorMessage testId={`${props.id}-error`}>{props.error}</ErrorMessage> : <HelperMessage>{props.help}</HelperMessage>}
    </div>
  );
}
