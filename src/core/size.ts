import type { CoralogixEntry } from './coralogix-entry';
import type { Json, JsonObject } from './json';
import { redactedJson, redactEmails, scrubbedPrefix, scrubEmails } from './privacy';
import type { LogRecord } from './record';

// An entry must fit everywhere it may have to wait: one Forge queue push (≤ 200 KB with its
// envelope), one KVS value for a dead letter (≤ 240 KiB), and a Coralogix request (≤ 2 MB).
// Coralogix documents no per-entry limit; the platform limits are the binding ones. Each request
// carries one entry, so requests stay far below Coralogix's 2 MB limit too.
export const MAX_ENTRY_TEXT_BYTES = 100_000;
/** What a second attempt aims for after Coralogix still refused an entry as too large (413). */
export const REDUCED_ENTRY_TEXT_BYTES = 16_000;

const KEPT_STRING_CHARS = 1024;
const KEPT_ARRAY_ITEMS = 10;

export interface TrimReport {
  original_bytes: number;
  strings_shortened?: string[];
  arrays_shortened?: Array<{ path: string; removed: number }>;
  dropped?: string[];
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Maps a value bottom-up without mutating it: `replace` may swap any value below the root, and
 * only the objects and arrays above a swap are copied (records share objects with the payload).
 */
function rewrite(root: JsonObject, replace: (value: Json, path: string) => Json): JsonObject {
  const walk = (node: Json, path: string): Json => {
    if (Array.isArray(node)) {
      let out: Json[] | undefined;
      for (let index = 0; index < node.length; index += 1) {
        const child = node[index] as Json;
        const childPath = `${path}.${index}`;
        const next = walk(replace(child, childPath), childPath);
        if (next !== child) (out ??= node.slice())[index] = next;
      }
      return out ?? node;
    }
    if (node !== null && typeof node === 'object') return rewriteObject(node, path);
    return node;
  };
  const rewriteObject = (node: JsonObject, path: string): JsonObject => {
    let out: JsonObject | undefined;
    for (const key of Object.keys(node)) {
      const child = node[key];
      if (child === undefined) continue;
      // Paths name payload keys, and keys may be addresses.
      const segment = scrubEmails(key);
      const childPath = path ? `${path}.${segment}` : segment;
      const next = walk(replace(child, childPath), childPath);
      if (next !== child) {
        out ??= { ...node };
        Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
      }
    }
    return out ?? node;
  };
  return rewriteObject(root, '');
}

/** How a trim makes its result safe to send. */
interface Scrubbing {
  /** The first `keep` characters of a string, free of addresses. */
  prefix(value: string, keep: number): string;
  /** The document free of addresses (what the shortened strings left unscanned). */
  document(value: JsonObject): JsonObject;
}

/** For text that was scrubbed before it was fitted: a prefix of scrubbed text is still scrubbed. */
const ALREADY_SCRUBBED: Scrubbing = { prefix: (value, keep) => value.slice(0, keep), document: (value) => value };
/** For a record not scrubbed yet: long strings are cut before they are scanned. */
const SCRUB_WHILE_TRIMMING: Scrubbing = { prefix: scrubbedPrefix, document: redactEmails };

/**
 * Brings a document's JSON under `limit` bytes, never dropping the entry: long strings are
 * shortened first, then long arrays, and as a last resort whole payload sections, each step
 * recorded in a `trimmed` marker with the original size so a Coralogix user can see what is missing.
 */
function fitDocument(document: JsonObject, originalBytes: number, limit: number, scrubbing: Scrubbing): string {
  const report: TrimReport = { original_bytes: originalBytes };
  const shortened: string[] = [];
  let fitted = rewrite(document, (value, path) => {
    if (typeof value !== 'string' || value.length <= KEPT_STRING_CHARS) return value;
    // Scrubbed again whole, for an address that keys make only once joined.
    shortened.push(scrubEmails(path));
    return `${scrubbing.prefix(value, KEPT_STRING_CHARS)}…`;
  });
  if (shortened.length > 0) report.strings_shortened = shortened;
  fitted = scrubbing.document(fitted);
  // From here on only whole values are removed, and removing never makes an address.
  // A copy of the top level, so dropping a section below never touches the caller's record.
  let sections: JsonObject = { ...fitted };
  const render = () => JSON.stringify({ ...sections, trimmed: report });

  if (byteLength(render()) > limit) {
    const arrays: Array<{ path: string; removed: number }> = [];
    sections = rewrite(sections, (value, path) => {
      if (!Array.isArray(value) || value.length <= KEPT_ARRAY_ITEMS) return value;
      arrays.push({ path: scrubEmails(path), removed: value.length - KEPT_ARRAY_ITEMS });
      return value.slice(0, KEPT_ARRAY_ITEMS);
    });
    if (arrays.length > 0) report.arrays_shortened = arrays;
  }

  let text = render();
  if (byteLength(text) > limit) {
    // Last resort: keep the event's identity (source_system, event metadata) and drop payload
    // sections, largest first. Dropping one leaves the others' sizes as they were: measured once.
    const sizes = new Map<string, number>();
    for (const key of Object.keys(sections))
      if (key !== 'source_system' && key !== 'event') sizes.set(key, byteLength(JSON.stringify(sections[key]) ?? ''));
    const largestFirst = [...sizes.keys()].sort((a, b) => (sizes.get(b) as number) - (sizes.get(a) as number));
    for (const key of largestFirst) {
      if (byteLength(text) <= limit) break;
      delete sections[key];
      (report.dropped ??= []).push(key);
      text = render();
    }
  }
  if (byteLength(text) > limit) {
    text = JSON.stringify({
      source_system: sections.source_system ?? null,
      trimmed: { original_bytes: originalBytes, dropped: ['everything but the marker'] },
    });
  }
  return text;
}

/**
 * Brings an entry's text under `limit` bytes (see fitDocument). The text must already be scrubbed,
 * as every entry's is: this serves a second, smaller attempt at an entry built earlier.
 */
export function fitEntry(entry: CoralogixEntry, limit: number = MAX_ENTRY_TEXT_BYTES): CoralogixEntry {
  const originalBytes = byteLength(entry.text);
  if (originalBytes <= limit) return entry;
  let document: JsonObject;
  try {
    const parsed = JSON.parse(entry.text) as Json;
    document = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { text: parsed };
  } catch {
    document = { text: entry.text };
  }
  return { ...entry, text: fitDocument(document, originalBytes, limit, ALREADY_SCRUBBED) };
}

/**
 * An entry's text: the record serialized once, scrubbed of addresses in one pass over that text,
 * and fitted under `limit`. A record that will be trimmed whatever the addresses in it is trimmed
 * before it is scrubbed, its long strings cut before they are scanned: scrubbing a 200 KB
 * description costs what the kept kilobyte costs.
 */
export function entryText(record: LogRecord | JsonObject, limit: number = MAX_ENTRY_TEXT_BYTES): string {
  // A LogRecord is JSON field by field; being an interface, it has no index signature to say so.
  const document = record as JsonObject;
  const json = JSON.stringify(document);
  const bytes = byteLength(json);
  // Sizes are judged before scrubbing: a replaced address changes them by a few bytes at most.
  if (bytes > limit) return fitDocument(document, bytes, limit, SCRUB_WHILE_TRIMMING);
  // An address in a key sends the record through the structure walk, which keeps equal keys apart.
  const text = redactedJson(document, json);
  if (text === json) return text;
  const scrubbedBytes = byteLength(text);
  // Markers longer than the addresses they replace can still push the text over the limit.
  return scrubbedBytes <= limit ? text : fitDocument(redactEmails(document), scrubbedBytes, limit, ALREADY_SCRUBBED);
}
