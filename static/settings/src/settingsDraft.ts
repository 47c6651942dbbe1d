import type { StoredSettings } from '../../../src/core/settings';

/** Errors keyed by the server's field paths (e.g. `settings.applicationName`, or `apiKey`). */
export type FieldErrors = Record<string, string>;

/** Changes one setting of the form; also clears that field's error, since the admin is fixing it. */
export type UpdateSetting = <K extends keyof StoredSettings>(field: K, value: StoredSettings[K]) => void;
