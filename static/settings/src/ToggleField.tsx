import { HelperMessage, Label } from '@atlaskit/form';
import Toggle from '@atlaskit/toggle';

interface ToggleFieldProps {
  id: string;
  label: string;
  isChecked: boolean;
  onToggle: () => void;
  help?: string;
}

/** A switch with its label beside it; the id doubles as the test id. */
export function ToggleField({ id, label, isChecked, onToggle, help }: ToggleFieldProps) {
  return (
    <div className="field">
      <div className="key-set">
        <Toggle id={id} isChecked={isChecked} onChange={onToggle} testId={id} />
        <Label htmlFor={id}>{label}</Label>
      </div>
      {help !== undefined && <HelperMessage>{help}</HelperMessage>}
    </div>
  );
}
