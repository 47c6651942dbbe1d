import { DEFAULT_VERSION_TAGS, WHOLE_WORKSPACE, type StoredSettings } from '../../../src/core/settings';
import type { SaveSettingsInput } from '../../../src/shared/contract';

/** Errors keyed by the server's field paths (e.g. `settings.applicationName`, or `apiKey`). */
export type FieldErrors = Record<string, string>;

/** Changes one setting of the form; also clears that field's error, since the admin is fixing it. */
export type UpdateSetting = <K extends keyof StoredSettings>(field: K, value: StoredSettings[K]) => void;

/** The form's starting values: settings from a server that predates a field take that field's default. */
export function draftOf(settings: StoredSettings): StoredSettings {
  const { repositoryScope, versionTags } = settings as Partial<StoredSettings>;
  return {
    ...settings,
    repositoryScope: repositoryScope ?? structuredClone(WHOLE_WORKSPACE),
    versionTags: versionTags ?? structuredClone(DEFAULT_VERSION_TAGS),
  };
}

/** A write-only key until the form is saved: a new one typed while replacing, or the stored one marked for removal. */
export interface KeyDraft {
  value: string;
  replacing: boolean;
  removing: boolean;
}

/** With no key stored there is nothing to hint at, so the field starts open. */
export const keyDraftOf = (hint: string | null): KeyDraft => ({ value: '', replacing: hint === null, removing: false });

/** The tags key as the save and the test tag send it; the server refuses a removal while tags are on, so none is sent then. */
export function tagsKeyPayload(draft: KeyDraft, tagsEnabled: boolean): Pick<SaveSettingsInput, 'tagsApiKey' | 'removeTagsApiKey'> {
  if (draft.replacing && draft.value.trim() !== '') return { tagsApiKey: draft.value };
  if (draft.removing && !tagsEnabled) return { removeTagsApiKey: true };
  return {};
}

/** Tags are created with their own key: one typed now, or one already stored. */
export function missingTagsKey(draft: KeyDraft, hint: string | null, tagsEnabled: boolean): string | undefined {
  return tagsEnabled && hint === null && draft.value.trim() === '' ? 'A tags API key is required to create version tags' : undefined;
}
