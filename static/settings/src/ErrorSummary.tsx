import SectionMessage, { SectionMessageAction } from '@atlaskit/section-message';
import { plural } from './format';
import type { FieldErrors } from './settingsDraft';

// Fields are found by the id their control carries; a field this list does not know is still found
// by its invalid state (Atlaskit marks an invalid control aria-invalid), so a new field needs no entry.
// In the order the form lays them out.
const FIELD_IDS: Readonly<Record<string, string>> = {
  apiKey: 'api-key',
  'settings.region': 'region',
  'settings.applicationName': 'application-name',
  'settings.subsystemName': 'subsystem-name',
  'settings.coverage': 'coverage-REPOSITORY',
  'settings.forwardedEvents': 'events',
  'settings.repositoryScope.projects': 'scope-projects',
  'settings.repositoryScope.repositories': 'scope-repositories',
  tagsApiKey: 'tags-api-key',
  'settings.versionTags.nameTemplate': 'tags-name-template',
};

const FOCUSABLE = 'input:not([type="hidden"]):not([disabled]), select, textarea, button:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The element to focus for a field: its control, or the first control inside a group. */
function controlOf(field: string): HTMLElement | null {
  const id = FIELD_IDS[field];
  const element = id === undefined ? null : document.getElementById(id);
  if (element === null || element.matches(FOCUSABLE)) return element;
  return element.querySelector<HTMLElement>(FOCUSABLE) ?? element;
}

/** Every invalid control of the form, first in reading order. */
export function invalidControls(form: HTMLElement | null, errors: FieldErrors): HTMLElement[] {
  const found = new Set<HTMLElement>();
  for (const field of Object.keys(errors)) {
    const control = controlOf(field);
    if (control) found.add(control);
  }
  form?.querySelectorAll<HTMLElement>('[aria-invalid="true"]').forEach((control) => found.add(control));
  return [...found].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
}

interface ErrorSummaryProps {
  errors: FieldErrors;
  /** Moves focus to the first invalid field. */
  onFocusFirst: () => void;
}

/** In the form's order: the fields this list knows first, as they are laid out, then the others as found. */
function inFormOrder(errors: FieldErrors): Array<[string, string]> {
  const known = Object.keys(FIELD_IDS);
  const rank = (field: string) => (known.includes(field) ? known.indexOf(field) : known.length);
  return Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b));
}

/** Next to Save, so whoever pressed it reads what stopped it; each message leads to its field. */
export function ErrorSummary({ errors, onFocusFirst }: ErrorSummaryProps) {
  const entries = inFormOrder(errors);
  const messages = [...new Set(entries.map(([, message]) => message))];
  if (messages.length === 0) return null;
  const fieldOf = new Map(entries.map(([field, message]) => [message, field]));
  return (
    <SectionMessage
      appearance="error"
      title={`Not saved: ${plural(messages.length, 'field needs', 'fields need')} attention`}
      testId="error-summary"
      actions={[
        <SectionMessageAction key="first" onClick={onFocusFirst} testId="error-summary-first">
          Go to the first one
        </SectionMessageAction>,
      ]}
    >
      <ul className="error-list">
        {messages.map((message) => {
          const id = FIELD_IDS[fieldOf.get(message) ?? ''];
          return (
            <li key={message}>
              {id === undefined ? (
                message
              ) : (
                <a
                  href={`#${id}`}
                  onClick={(event) => {
                    event.preventDefault();
                    controlOf(fieldOf.get(message) ?? '')?.focus();
                  }}
                >
                  {message}
                </a>
              )}
            </li>
          );
        })}
      </ul>
    </SectionMessage>
  );
}
