import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { InvocationResult } from './platform/forge-platform';

// What the sandbox's local servers share. BridgeHost and the sandbox routes behind it answer alike,
// so a page sees one set of headers, one CSP and one shape of error whichever of them serves it; the
// Coralogix receiver reads bodies under its own size limit the same way.

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

// The rules Forge applies to Custom UI, so neither the settings page nor the sandbox's own pages can
// lean on inline script or style, or on anything off this origin.
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

export const MAX_BODY_BYTES = 1_000_000;

export type JsonObject = Record<string, unknown>;

/**
 * A request body read to its end. Past the limit the text is dropped but the bytes still counted,
 * so an oversized upload neither fills memory nor leaves the connection half read.
 */
export interface RequestBody {
  readonly bytes: number;
  /** Undefined when the body is over the limit. */
  readonly text: string | undefined;
}

export const NO_BODY: RequestBody = { bytes: 0, text: '' };

export async function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<RequestBody> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    if (bytes <= limit) chunks.push(buffer);
  }
  return { bytes, text: bytes > limit ? undefined : Buffer.concat(chunks).toString('utf8') };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
  return true;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** The body as a JSON object, or the 4xx answer that explains what is wrong with it. */
export function parseObjectBody(body: RequestBody): { value: JsonObject } | { status: number; message: string } {
  if (body.text === undefined) return { status: 413, message: `The request body is larger than ${MAX_BODY_BYTES} bytes` };
  if (body.text.trim() === '') return { status: 400, message: 'The request body is empty: send a JSON object' };
  let value: unknown;
  try {
    value = JSON.parse(body.text);
  } catch (error) {
    return { status: 400, message: `The request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isObject(value)) return { status: 400, message: `The request body must be a JSON object, not ${describeJsonType(value)}` };
  return { value };
}

/** Answers with a page or one of its assets, named by `file` for its type, under the pages' CSP. */
export function sendContent(response: ServerResponse, file: string, content: string | Buffer, options: { head?: boolean } = {}): true {
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  response.end(options.head ? undefined : content);
  return true;
}

/**
 * Answers with a file below `root`; false when there is none there (paths that climb out of `root`
 * included). `rewrite` may change the file's text before it is sent.
 */
export async function sendFile(
  response: ServerResponse,
  root: string,
  relative: string,
  options: { head?: boolean; rewrite?: (text: string) => string } = {},
): Promise<boolean> {
  const base = path.resolve(root);
  const file = path.resolve(base, relative);
  if (!file.startsWith(base + path.sep)) return false;
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch {
    return false;
  }
  return sendContent(response, file, options.rewrite ? options.rewrite(content.toString('utf8')) : content, options);
}

export type ResolverCall = (functionKey: string, payload: unknown) => Promise<InvocationResult<unknown>>;

/**
 * Forge's side of @forge/bridge's invoke(): runs the resolver function the page names. When Forge
 * needs the user's consent first (NEEDS_AUTHENTICATION_ERR) it prompts around the app instead of
 * failing the call; the answer says so, and the bridge shim draws the prompt.
 */
export async function answerInvoke(response: ServerResponse, body: RequestBody, call: ResolverCall): Promise<true> {
  const parsed = parseObjectBody(body);
  if ('status' in parsed) return sendJson(response, parsed.status, { message: parsed.message });
  const { functionKey, payload } = parsed.value;
  if (typeof functionKey !== 'string') return sendJson(response, 400, { message: 'functionKey is required' });
  const result = await call(functionKey, payload ?? {});
  if (!result.ok && result.error instanceof Error && result.error.name === 'NEEDS_AUTHENTICATION_ERR') {
    return sendJson(response, 200, { message: 'The user has not allowed the app to act on their behalf', consentRequired: true });
  }
  if (!result.ok) return sendJson(response, 500, { message: 'The resolver function failed' });
  return sendJson(response, 200, { value: result.value });
}
