import Button from '@atlaskit/button/new';
import SectionMessage from '@atlaskit/section-message';
import { ErrorSummary } from './ErrorSummary';
import type { FieldErrors } from './settingsDraft';

export type Notice = { appearance: 'success' | 'error' | 'warning'; title: string; body: string; testId: string };

interface FormActionsProps {
  notice: Notice | null;
  /** Shown only after a Save or test was refused for them, next to the buttons. */
  errors: FieldErrors;
  saving: boolean;
  testing: boolean;
  onSendTest: () => void;
  onFocusFirstError: () => void;
}

/** The outcome of the last save or test, above the buttons that start the next one. Save submits the form. */
export function FormActions({ notice, errors, saving, testing, onSendTest, onFocusFirstError }: FormActionsProps) {
  const busy = saving || testing;
  return (
    <>
      <ErrorSummary errors={errors} onFocusFirst={onFocusFirstError} />
      {notice && (
        <SectionMessage appearance={notice.appearance} title={notice.title} testId={notice.testId}>
          <p>{notice.body}</p>
        </SectionMessage>
      )}

      <div className="actions">
        <Button appearance="primary" type="submit" isLoading={saving} isDisabled={busy} testId="save">
          Save
        </Button>
        <Button onClick={onSendTest} isLoading={testing} isDisabled={busy} testId="send-test">
          Send test event
        </Button>
      </div>
    </>
  );
}
