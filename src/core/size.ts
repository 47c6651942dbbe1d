import type { CoralogixEntry } from './entry';

// An entry must fit everywhere it may have to wait: one Forge queue push (≤ 200 KB with its
// envelope), one KVS value for a dead letter (≤ 240 KiB), and a Coralogix request (≤ 2 MB).
// Coralogix documents no per-entry limit; the platform limits are the binding ones. Each request
// carries one entry, so requests stay far below Coralogix's 2 MB limit too.
export const MAX_ENTRY_TEXT_BYTES = 100_000;
/** What a second attempt aims for after Coralogix still refused an entry as too large (413). */
export const REDUCED_ENTRY_TEXT_BYTES = 16_000;

const KEPT_STRING_CHARS = 1024;
const KEPT_ARRAY_ITEMS = 10;

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type JsonMap = { [key: string]: JsonValue };

export interface TrimReport {
  original_bytes: number;
  strings_shortened?: string[];
  arrays_shortened?: Array<{ path: string; removed: number }>;
  dropped?: string[];
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function walk(value: JsonValue, path: string, visit: (value: JsonValue, path: string, replace: (next: JsonValue) => void) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      visit(item, `${path}.${index}`, (next) => (value[index] = next));
      walk(value[index] as JsonValue, `${path}.${index}`, visit);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      visit(value[key] as JsonValue, path ? `${path}.${key}` : key, (next) => (value[key] = next));
      walk(value[key] as JsonValue, path ? `${path}.${key}` : key, visit);
    }
  }
}

/**
 * Brings an entry's text under `limit` bytes, never dropping the entry: long strings are shortened
 * first, then long arrays, and as a last resort whole payload sections, each step recorded in a
 * `trimmed` marker with the original size so a Coralogix user can see what is missing.
 */
export function fitEntry(entry: CoralogixEntry, limit: number = MAX_ENTRY_TEXT_BYTES): CoralogixEntry {
  const originalBytes = byteLength(entry.text);
  if (originalBytes <= limit) return entry;

  let document: JsonMap;
  try {
    const parsed = JSON.parse(entry.text) as JsonValue;
    document = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { text: parsed };
  } catch {
    document = { text: entry.text };
  }
  const report: TrimReport = { original_bytes: originalBytes };
  const render = () => JSON.stringify({ ...document, trimmed: report });

  const shortened: string[] = [];
  walk(document, '', (value, path, replace) => {
    if (typeof value === 'string' && value.length > KEPT_STRING_CHARS) {
      replace(`${value.slice(0, KEPT_STRING_CHARS)}…`);
      shortened.push(path);
    }
  });
  if (shortened.length > 0) report.strings_shortened = shortened;

  if (byteLength(render()) > limit) {
    const arrays: Array<{ path: string; removed: number }> = [];
    walk(document, '', (value, path, replace) => {
      if (Array.isArray(value) && value.length > KEPT_ARRAY_ITEMS) {
        replace(value.slice(0, KEPT_ARRAY_ITEMS));
        arrays.push({ path, removed: value.length - KEPT_ARRAY_ITEMS });
      }
    });
    if (arrays.length > 0) report.arrays_shortened = arrays;
  }

  // Last resort: keep the event's identity (source_system, event metadata) and drop payload sections.
  const sections = Object.keys(document).filter((key) => key !== 'source_system' && key !== 'event');
  while (byteLength(render()) > limit && sections.length > 0) {
    const largest = sections.sort((a, b) => byteLength(JSON.stringify(document[b])) - byteLength(JSON.stringify(document[a]))).shift() as string;
    delete document[largest];
    report.dropped = [...(report.dropped ?? []), largest];
  }
  let text = render();
  if (byteLength(text) > limit) {
    text = JSON.stringify({ source_system: document.source_system ?? null, trimmed: { original_bytes: originalBytes, dropped: ['everything but the marker'] } });
  }
  return { ...entry, text };
}
