// What the app must not forward. Email addresses never leave: Bitbucket payloads carry account ids,
// but free text (and fields Bitbucket may add later) can contain addresses, so every string and
// every object key is scrubbed. Free text itself (commit messages, titles, descriptions, comment
// changes) is dropped when the admin asks for it.

import type { Json, JsonObject } from './json';

export const EMAIL_REPLACEMENT = '[email removed]';
export const OMITTED = '[omitted]';

/**
 * The longest address worth finding (RFC 5321 caps a path at 256 octets, brackets included). Text
 * is cut only with this much more of it scanned, so an address that straddles the cut is removed
 * whole rather than leaving its first half behind.
 */
export const LONGEST_ADDRESS = 254;

// What counts as an address is what the regular expression
//   [local]+ @ [label]+ ( [dot] [label]+ )* [dot] \p{L} [\p{L}\p{M}]
// would find anywhere in the text, where local = Unicode letters, marks and decimal digits plus
// ._%+-!#$&'*/=?^`{|}~ ; label = Unicode letters, marks, decimal digits and "-" ; dot = "." or the
// ideographic full stops IDNA reads as dots. So `andré@example.fr` and `用户@例子.广告` are addresses;
// `@mention`, `foo@`, `a@b`, `user@localhost` and `a@1.2.3.4` are not. Such a regular expression
// backtracks: on a long run of local characters with an "@" and no domain (a token, base64, a hash)
// it retries from every starting position, which is quadratic; a 60 KB description took 16 s.
// The scanner below finds the same addresses walking outwards from each "@" instead, touching
// every character of plain text at most three times: once in indexOf, once going back over a local
// part and once going forward over a domain (JSON text adds at most one look at escapes and at the
// rest of a string that held an address). A found address is replaced from the start of its local part to the
// end of its whole domain (all labels, not only up to the first two-letter one), which removes a
// little more than the expression would and never less.

const LOCAL = 1;
const LABEL = 2;
const LETTER = 4;
const MARK = 8;
const DOT = 16;

const ASCII_CLASSES = new Uint8Array(128);
for (let code = 0; code < 128; code += 1) {
  const char = String.fromCharCode(code);
  let kind = 0;
  if (/[A-Za-z]/.test(char)) kind = LOCAL | LABEL | LETTER;
  else if (/[0-9]/.test(char)) kind = LOCAL | LABEL;
  else if (char === '-') kind = LOCAL | LABEL;
  else if (char === '.') kind = LOCAL | DOT;
  else if ("_%+!#$&'*/=?^`{|}~".includes(char)) kind = LOCAL;
  ASCII_CLASSES[code] = kind;
}

// Sticky and single-code-point: tests the one character at lastIndex, so each test is constant work.
const UNICODE_LETTER = /\p{L}/uy;
const UNICODE_MARK_OR_DIGIT = /[\p{M}\p{Nd}]/uy;
const UNICODE_MARK = /\p{M}/uy;

/** The classes of the code point starting at `index` (which must not be a low surrogate). */
function classAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code < 128) return ASCII_CLASSES[code] as number;
  if (code === 0x3002 || code === 0xff0e || code === 0xff61) return DOT;
  UNICODE_LETTER.lastIndex = index;
  if (UNICODE_LETTER.test(text)) return LOCAL | LABEL | LETTER;
  UNICODE_MARK_OR_DIGIT.lastIndex = index;
  if (!UNICODE_MARK_OR_DIGIT.test(text)) return 0;
  UNICODE_MARK.lastIndex = index;
  return UNICODE_MARK.test(text) ? LOCAL | LABEL | MARK : LOCAL | LABEL;
}

function codePointLength(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
    const next = text.charCodeAt(index + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return 2;
  }
  return 1;
}

/** Where the code point ending just before `end` starts, not going below `floor`. */
function codePointBefore(text: string, end: number, floor: number): number {
  const code = text.charCodeAt(end - 1);
  if (code >= 0xdc00 && code <= 0xdfff && end - 2 >= floor) {
    const previous = text.charCodeAt(end - 2);
    if (previous >= 0xd800 && previous <= 0xdbff) return end - 2;
  }
  return end - 1;
}

/** Counts characters looked at, so tests can check the scan is linear without timing it. */
export interface ScanWork {
  steps: number;
}

// Every scan not given its own counter adds to this one.
const totalWork: ScanWork = { steps: 0 };

/**
 * Characters looked at by every scan so far: a test reads it before and after a call to see how
 * much text the call scanned, which no clock can say reliably.
 */
export function scannedSoFar(): number {
  return totalWork.steps;
}

/**
 * The end of the domain that starts at `from` (just after an "@"), or -1 when what follows the "@"
 * is not a domain with a top-level label of two letters. The domain ends before an empty label, so
 * a sentence's full stop after an address stays.
 */
function domainEnd(text: string, from: number, work: ScanWork): number {
  let index = from;
  let end = -1;
  let labels = 0;
  let hasTopLevel = false;
  for (;;) {
    const labelStart = index;
    let first = 0;
    let second = 0;
    while (index < text.length) {
      const kind = classAt(text, index);
      if ((kind & LABEL) === 0) break;
      if (index === labelStart) first = kind;
      else if (second === 0) second = kind;
      index += codePointLength(text, index);
      work.steps += 1;
    }
    if (index === labelStart) break;
    labels += 1;
    end = index;
    if (labels > 1 && (first & LETTER) !== 0 && (second & (LETTER | MARK)) !== 0) hasTopLevel = true;
    if (index < text.length && (classAt(text, index) & DOT) !== 0) {
      index += 1;
      work.steps += 1;
    } else {
      break;
    }
  }
  return hasTopLevel ? end : -1;
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/**
 * Where the local part that ends at `at` really starts in JSON text, given where its run of local
 * characters starts: an escape such as \n or \u001f ends in letters and digits, which are not part
 * of the address. A run right after an odd number of backslashes starts inside an escape.
 */
function afterEscape(text: string, start: number, floor: number, work: ScanWork): number {
  let backslashes = 0;
  while (start - backslashes > floor && text.charCodeAt(start - backslashes - 1) === BACKSLASH) backslashes += 1;
  work.steps += backslashes;
  if (backslashes % 2 === 0) return start;
  return start + (text.charCodeAt(start) === 0x75 /* u */ ? 5 : 1);
}

/** The index of the quote that closes the JSON string containing `from`. */
function closingQuote(text: string, from: number, work: ScanWork): number {
  let index = from;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) break;
    index += code === BACKSLASH ? 2 : 1;
    work.steps += 1;
  }
  return index;
}

/**
 * The scan shared by plain text and JSON text. In JSON text, escapes are not read as letters, and
 * undefined comes back when an address is in a key: scrubbing keys in the text could make two
 * keys of one object equal, so the caller scrubs the structure instead (redactEmails numbers them).
 */
function scrub(text: string, json: boolean, work: ScanWork): string | undefined {
  let at = text.indexOf('@');
  work.steps += at === -1 ? text.length : at + 1;
  if (at === -1) return text;
  const parts: string[] = [];
  // Everything before `copied` is settled; a local part never reaches back into a replaced address.
  let copied = 0;
  // The closing quote of the last JSON string an address was found in, so no string is walked twice.
  let stringEnd = -1;
  while (at !== -1) {
    let start = at;
    while (start > copied) {
      const previous = codePointBefore(text, start, copied);
      if ((classAt(text, previous) & LOCAL) === 0) break;
      start = previous;
      work.steps += 1;
    }
    if (json && start < at) start = afterEscape(text, start, copied, work);
    const end = start < at ? domainEnd(text, at + 1, work) : -1;
    const searchFrom = end === -1 ? at + 1 : end;
    if (end !== -1) {
      if (json && end > stringEnd) {
        stringEnd = closingQuote(text, end, work);
        if (text.charCodeAt(stringEnd + 1) === 0x3a /* : */) return undefined;
      }
      parts.push(text.slice(copied, start), EMAIL_REPLACEMENT);
      copied = end;
    }
    at = text.indexOf('@', searchFrom);
    work.steps += at === -1 ? text.length - searchFrom : at - searchFrom + 1;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

/**
 * Replaces every email address in `text` with EMAIL_REPLACEMENT, in time linear in its length. The
 * result holds no address: the replacement starts and ends with characters that belong to none.
 */
export function scrubEmails(text: string, work: ScanWork = totalWork): string {
  // Only JSON text can be declined.
  return scrub(text, false, work) as string;
}

/**
 * JSON.stringify's output with every address in its string values replaced, in one pass over the
 * text; undefined when an address is in a key. Valid only for JSON.stringify's own output, whose
 * sole escapes are \" \\ \b \f \n \r \t and \u00XX or \uDXXX, and which never escapes "@" or a
 * character of an address: every address in a value appears in the text as it is.
 */
export function scrubJsonText(json: string, work: ScanWork = totalWork): string | undefined {
  return scrub(json, true, work);
}

/**
 * The first `keep` characters of `text` scrubbed, scanning only LONGEST_ADDRESS characters past
 * them: what a trimmed string keeps costs no more to scrub than what is kept.
 */
export function scrubbedPrefix(text: string, keep: number): string {
  const window = text.length > keep + LONGEST_ADDRESS ? text.slice(0, keep + LONGEST_ADDRESS) : text;
  return scrubEmails(window).slice(0, keep);
}

// Defined rather than assigned, so a payload key "__proto__" stays a key instead of a prototype.
function setOwn(target: JsonObject, key: string, value: Json | undefined): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Builds an object from scrubbed keys. Two keys that scrub to the same text both stay, the later
 * ones numbered, rather than one value silently replacing the other.
 */
function objectFromEntries(entries: ReadonlyArray<readonly [string, Json | undefined]>): JsonObject {
  const out: JsonObject = {};
  let suffixes: Map<string, number> | undefined;
  for (const [key, value] of entries) {
    let unique = key;
    if (Object.hasOwn(out, unique)) {
      suffixes ??= new Map();
      let n = suffixes.get(key) ?? 1;
      do {
        n += 1;
        unique = `${key} (${n})`;
      } while (Object.hasOwn(out, unique));
      suffixes.set(key, n);
    }
    setOwn(out, unique, value);
  }
  return out;
}

/**
 * Every string and key of `value` scrubbed. Copies only what changes: a value without addresses is
 * returned as it is, which is what almost every event is. Recursive: callers bound the depth first
 * (json.ts, boundDepth), as every record is.
 */
export function redactEmails<T>(value: T): T {
  const walk = (node: Json): Json => {
    if (typeof node === 'string') return scrubEmails(node);
    if (Array.isArray(node)) {
      let out: Json[] | undefined;
      for (let index = 0; index < node.length; index += 1) {
        const child = node[index] as Json;
        const next = walk(child);
        if (next !== child) (out ??= node.slice())[index] = next;
      }
      return out ?? node;
    }
    if (node !== null && typeof node === 'object') {
      const keys = Object.keys(node);
      let entries: Array<readonly [string, Json | undefined]> | undefined;
      for (let index = 0; index < keys.length; index += 1) {
        const key = keys[index] as string;
        const child = node[key];
        const nextKey = scrubEmails(key);
        const next = child === undefined ? undefined : walk(child);
        if (entries === undefined && (nextKey !== key || next !== child))
          entries = keys.slice(0, index).map((earlier) => [earlier, node[earlier]] as const);
        entries?.push([nextKey, next]);
      }
      return entries ? objectFromEntries(entries) : node;
    }
    return node;
  };
  return walk(value as Json) as T;
}

/**
 * Serializes with every address scrubbed: serialized once (or not at all, given `json`, the value's
 * own serialization), and the text scanned once.
 */
export function redactedJson(value: unknown, json: string = JSON.stringify(value ?? null)): string {
  return scrubJsonText(json) ?? JSON.stringify(redactEmails(value));
}

/** Keys whose values are free text typed by people, wherever they appear in a record. */
const FREE_TEXT_KEYS = new Set(['message', 'title', 'description', 'summary', 'content', 'raw', 'reason']);

/**
 * Replaces free-text values with a marker, keeping the structure (a description change is still
 * recorded, without its words). Every string inside a free-text value goes, so the payload's own
 * shapes (`title: {value, truncated}`, `changes.description.old.value`) keep nothing either.
 */
export function omitFreeText<T>(value: T): T {
  const walk = (node: Json, key: string | undefined, parentKey: string | undefined, inFreeText: boolean): Json => {
    const isFreeText =
      inFreeText ||
      (key !== undefined && FREE_TEXT_KEYS.has(key)) ||
      (parentKey !== undefined && FREE_TEXT_KEYS.has(parentKey) && (key === 'old' || key === 'new' || key === 'from' || key === 'to'));
    if (typeof node === 'string') return isFreeText ? OMITTED : node;
    if (Array.isArray(node)) return node.map((child) => walk(child, undefined, key, isFreeText));
    if (node !== null && typeof node === 'object') {
      const out: JsonObject = {};
      for (const [childKey, child] of Object.entries(node))
        setOwn(out, childKey, child === undefined ? undefined : walk(child, childKey, key, isFreeText));
      return out;
    }
    return node;
  };
  return walk(value as Json, undefined, undefined, false) as T;
}
