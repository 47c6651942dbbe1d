import Button from '@atlaskit/button/new';
import { ErrorMessage, HelperMessage, Label } from '@atlaskit/form';
import Textfield from '@atlaskit/textfield';
import type { ReactNode } from 'react';

interface ApiKeyFieldProps {
  /** The stored key's last four characters, or null when none is stored. */
  hint: string | null;
  replacing: boolean;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
  onReplace: () => void;
  /** For a second key (the tags key): its id, also the prefix of its test ids. */
  id?: string;
  label?: string;
  help?: ReactNode;
  replaceTestId?: string;
}

const SEND_YOUR_DATA_HELP = 'From Coralogix → Data Flow → API Keys. It is stored as a secret and never shown again.';

/** The key is write-only: a stored one is only hinted at, and replaced rather than edited. */
export function ApiKeyField({
  hint,
  replacing,
  value,
  error,
  onChange,
  onReplace,
  id = 'api-key',
  label = 'Send-Your-Data API key',
  help = SEND_YOUR_DATA_HELP,
  replaceTestId = 'replace-key',
}: ApiKeyFieldProps) {
  return (
    <div className="field">
      <Label htmlFor={id}>{label}</Label>
      {replacing ? (
        <>
          <Textfield
            id={id}
            type="password"
            autoComplete="off"
            value={value}
            onChange={(event) => onChange(event.currentTarget.value)}
            isInvalid={error !== undefined}
            testId={id}
            placeholder={hint ? 'Paste the new key' : 'Paste your key'}
          />
          {error ? <ErrorMessage testId={`${id}-error`}>{error}</ErrorMessage> : <HelperMessage>{help}</HelperMessage>}
        </>
      ) : (
        <div className="key-set">
          <span data-testid={`${id}-hint`}>A key ending in ••••{hint} is set.</span>
          <Button appearance="subtle" onClick={onReplace} testId={replaceTestId}>
            Replace key
          </Button>
        </div>
      )}
    </div>
  );
}
