// What the app must not forward. Email addresses never leave: Bitbucket payloads carry account ids,
// but free text (and fields Bitbucket may add later) can contain addresses, so every string is
// scrubbed. Free text itself (commit messages, titles, descriptions, comment changes) is dropped
// when the admin asks for it.

import type { Json } from './json';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
export const EMAIL_REPLACEMENT = '[email removed]';
export const OMITTED = '[omitted]';

/** Serializes with every address scrubbed; the walk is paid only when the text holds an "@". */
export function redactedJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('@') ? JSON.stringify(redactEmails(value)) : json;
}

export function redactEmails<T>(value: T): T {
  const walk = (node: Json): Json => {
    if (typeof node === 'string') return node.includes('@') ? node.replace(EMAIL, EMAIL_REPLACEMENT) : node;
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      const out: { [key: string]: Json | undefined } = {};
      for (const [key, child] of Object.entries(node)) out[key] = child === undefined ? undefined : walk(child);
      return out;
    }
    return node;
  };
  return walk(value as Json) as T;
}

/** Keys whose string values are free text typed by people, wherever they appear in a record. */
const FREE_TEXT_KEYS = new Set(['message', 'title', 'description', 'summary', 'content', 'raw']);

/**
 * Replaces free-text values with a marker, keeping the structure (a description change is still
 * recorded, without its words).
 */
export function omitFreeText<T>(value: T): T {
  const walk = (node: Json, key: string | undefined, parentKey: string | undefined): Json => {
    const isFreeText = (key !== undefined && FREE_TEXT_KEYS.has(key)) || (parentKey !== undefined && FREE_TEXT_KEYS.has(parentKey) && (key === 'old' || key === 'new' || key === 'from' || key === 'to'));
    if (typeof node === 'string') return isFreeText ? OMITTED : node;
    if (Array.isArray(node)) return node.map((child) => walk(child, undefined, key));
    if (node !== null && typeof node === 'object') {
      const out: { [k: string]: Json | undefined } = {};
      for (const [childKey, child] of Object.entries(node)) out[childKey] = child === undefined ? undefined : walk(child, childKey, key);
      return out;
    }
    return node;
  };
  return walk(value as Json, undefined, undefined) as T;
}
