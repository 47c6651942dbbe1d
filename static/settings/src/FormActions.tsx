import Button from '@atlaskit/button/new';
import SectionMessage from '@atlaskit/section-message';

export type Notice = { appearance: 'success' | 'error' | 'warning'; title: string; body: string; testId: string };

interface FormActionsProps {
  notice: Notice | null;
  saving: boolean;
  testing: boolean;
  onSave: () => void;
  onSendTest: () => void;
}

/** The outcome of the last save or test, above the buttons that start the next one. */
export function FormActions({ notice, saving, testing, onSave, onSendTest }: FormActionsProps) {
  const busy = saving || testing;
  return (
    <>
      {notice && (
        <SectionMessage appearance={notice.appearance} title={notice.title} testId={notice.testId}>
          <p>{notice.body}</p>
        </SectionMessage>
      )}

      <div className="actions">
        <Button appearance="primary" onClick={onSave} isLoading={saving} isDisabled={busy} testId="save">
          Save
        </Button>
        <Button onClick={onSendTest} isLoading={testing} isDisabled={busy} testId="send-test">
          Send test event
        </Button>
      </div>
    </>
  );
}
