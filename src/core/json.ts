import { scrubEmails } from './privacy';

// The JSON the app builds records from. Object fields may be undefined: records leave as JSON
// text, which drops them, so the per-event path needs no pass to strip them.
export type Json = null | boolean | number | string | Json[] | JsonObject;
export type JsonObject = { [key: string]: Json | undefined };

/** An object that is not an array (nor null): what a JSON object parses to. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value as an object, or an empty one, so a path through optional fields reads on without checks. */
export function objectOrEmpty(value: Json | undefined): JsonObject;
export function objectOrEmpty(value: unknown): Readonly<Record<string, unknown>>;
export function objectOrEmpty(value: unknown): Readonly<Record<string, unknown>> {
  return isPlainObject(value) ? value : {};
}

export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * How many levels of objects and arrays a payload may nest before what lies deeper is replaced by
 * NESTED_TOO_DEEP. Bitbucket's payloads nest under ten levels and the record adds four, so 64 cuts
 * nothing real. Everything after the cut walks records recursively (validation, free-text omission,
 * scrubbing, trimming, JSON.stringify, the hash of the event id), and V8's JSON.stringify overflows
 * the stack at a few thousand levels: a bound this small keeps all of them far from it, and keeps
 * the entry readable in Coralogix.
 */
export const MAX_PAYLOAD_DEPTH = 64;
export const NESTED_TOO_DEEP = '[nested too deep]';
/** How many cut places a record lists; the count covers the rest. */
const LISTED_CUTS = 5;

// A type rather than an interface, so that it is JSON to the compiler as it is to the record.
export type DepthCut = {
  max_depth: number;
  /** How many values were replaced. */
  count: number;
  /** Where, as dotted paths from the payload's root; the first few only. */
  paths: string[];
};

/**
 * The payload with every object or array deeper than MAX_PAYLOAD_DEPTH replaced by a marker. The
 * same value comes back, uncopied, when nothing is that deep; otherwise only the objects on the
 * way to a cut are copied. The recursion is itself bounded by the limit it enforces.
 */
export function boundDepth(payload: unknown): { value: unknown; cut?: DepthCut } {
  let count = 0;
  const paths: string[] = [];
  // One shared stack of keys, joined only at a cut: no path is built for the values that stay.
  const path: Array<string | number> = [];
  const descend = (child: object, key: string | number, depth: number): unknown => {
    path.push(key);
    const next = walk(child, depth);
    path.pop();
    return next;
  };
  const walk = (node: object, depth: number): unknown => {
    if (depth >= MAX_PAYLOAD_DEPTH) {
      count += 1;
      // Keys may be addresses: scrubbed one by one, then joined, for one that keys make together.
      if (paths.length < LISTED_CUTS)
        paths.push(scrubEmails(path.map((key) => (typeof key === 'string' ? scrubEmails(key) : key)).join('.')));
      return NESTED_TOO_DEEP;
    }
    if (Array.isArray(node)) {
      let out: unknown[] | undefined;
      for (let index = 0; index < node.length; index += 1) {
        const child: unknown = node[index];
        const next = child !== null && typeof child === 'object' ? descend(child, index, depth + 1) : child;
        if (next !== child) (out ??= node.slice())[index] = next;
      }
      return out ?? node;
    }
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(node)) {
      const child: unknown = (node as Record<string, unknown>)[key];
      const next = child !== null && typeof child === 'object' ? descend(child, key, depth + 1) : child;
      if (next !== child) {
        // Spread defines own properties, so a "__proto__" key survives the copy.
        out ??= { ...(node as Record<string, unknown>) };
        Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
      }
    }
    return out ?? node;
  };
  const value = payload !== null && typeof payload === 'object' ? walk(payload, 0) : payload;
  return count === 0 ? { value } : { value, cut: { max_depth: MAX_PAYLOAD_DEPTH, count, paths } };
}
