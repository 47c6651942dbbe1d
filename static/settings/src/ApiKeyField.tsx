import Button from '@atlaskit/button/new';
import { ErrorMessage, HelperMessage, Label } from '@atlaskit/form';
import Textfield from '@atlaskit/textfield';

interface ApiKeyFieldProps {
  /** The stored key's last four characters, or null when none is stored. */
  hint: string | null;
  replacing: boolean;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
  onReplace: () => void;
}

/** The key is write-only: a stored one is only hinted at, and replaced rather than edited. */
export function ApiKeyField({ hint, replacing, value, error, onChange, onReplace }: ApiKeyFieldProps) {
  return (
    <div className="field">
      <Label htmlFor="api-key">Send-Your-Data API key</Label>
      {replacing ? (
        <>
          <Textfield
            id="api-key"
            type="password"
            autoComplete="off"
            value={value}
            onChange={(event) => onChange(event.currentTarget.value)}
            isInvalid={error !== undefined}
            testId="api-key"
            placeholder={hint ? 'Paste the new key' : 'Paste your key'}
          />
          {error ? (
            <ErrorMessage testId="api-key-error">{error}</ErrorMessage>
          ) : (
            <HelperMessage>From Coralogix → Data Flow → API Keys. It is stored as a secret and never shown again.</HelperMessage>
          )}
        </>
      ) : (
        <div className="key-set">
          <span data-testid="api-key-hint">A key ending in ••••{hint} is set.</span>
          <Button appearance="subtle" onClick={onReplace} testId="replace-key">
            Replace key
          </Button>
        </div>
      )}
    </div>
  );
}
