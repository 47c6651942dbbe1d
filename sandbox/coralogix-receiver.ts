import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readBody } from './http-server';
import { FORWARDED_HOST_HEADER } from './platform/egress';
import { offersVersionTags, REGION_IDS, REGIONS, type RegionId } from '../src/core/regions';

// A loopback stand-in for Coralogix that enforces the documented contracts strictly, so a wrong guess
// in the app fails here rather than silently in production.
// - Logs, https://ingress.<domain>/logs/v1/singles: Bearer Send-Your-Data key, application/json, a
//   JSON array of entries with applicationName, subsystemName and text, severity 1–6, and the 2 MB
//   request limit (taken as 2,000,000 bytes, the stricter reading of "2MB").
// - Version tags, https://api.<domain>/api/v1/external/tags ("cURL Version Tags"): Bearer API key with
//   the CICDIntegration preset, which is a different key from the Send-Your-Data key, so each path
//   refuses the other's key with 403; a JSON object {name, timestamp?, application[], subsystem[],
//   iconUrl?}, unknown fields refused as on the logs path.

export const SINGLES_PATH = '/logs/v1/singles';
export const TAGS_PATH = '/api/v1/external/tags';
export const MAX_REQUEST_BYTES = 2_000_000;

const ENTRY_FIELDS: Record<string, 'string' | 'number'> = {
  applicationName: 'string',
  subsystemName: 'string',
  text: 'string',
  timestamp: 'number',
  severity: 'number',
  computerName: 'string',
  category: 'string',
  className: 'string',
  methodName: 'string',
  threadId: 'string',
  hiResTimestamp: 'string',
};
const REQUIRED_FIELDS = ['applicationName', 'subsystemName', 'text'];

export interface AcceptedEntry {
  readonly applicationName: string;
  readonly subsystemName: string;
  readonly text: string;
  readonly timestamp?: number;
  readonly severity?: number;
  readonly computerName?: string;
  readonly category?: string;
  readonly className?: string;
  readonly methodName?: string;
  readonly threadId?: string;
  readonly hiResTimestamp?: string;
}

export interface ReceivedRequest {
  readonly status: number;
  readonly bytes: number;
  readonly entries: number;
  readonly error?: string;
  readonly at: number;
  /** The host the client addressed (egress routing forwards it), e.g. ingress.eu1.coralogix.com. */
  readonly host?: string;
}

/** What a version tag request says, as "cURL Version Tags" documents it. */
export interface TagBody {
  readonly name: string;
  /** Epoch milliseconds or a JavaScript date string; Coralogix applies the current time when absent. */
  readonly timestamp?: number | string;
  readonly application: readonly string[];
  readonly subsystem: readonly string[];
  readonly iconUrl?: string;
}

export interface AcceptedTag {
  readonly body: TagBody;
  /** The host the app addressed (api.<domain> for a routed request), or the receiver's own for a direct one. */
  readonly host: string | undefined;
  /** The Coralogix region whose host was addressed, when the host is one. */
  readonly region: RegionId | undefined;
  readonly receivedAt: number;
}

export interface ReceivedTagRequest {
  readonly status: number;
  readonly bytes: number;
  readonly error?: string;
  readonly at: number;
  readonly host?: string;
}

/** Which endpoint a fault is for; a fault without one applies to whichever request comes next. */
export type FaultPath = 'logs' | 'tags';

/** A scripted misbehaviour for the next request(s): fault-injection for delivery tests. */
export type Fault = (
  { kind: 'pass' } | { kind: 'status'; status: number; retryAfter?: string } | { kind: 'delay'; ms: number } | { kind: 'reset' }
) & { path?: FaultPath };

/** Which of Coralogix's hosts serves a path: logs at the ingress, version tags at the API host. */
const HOST_PREFIX: Record<FaultPath, string> = { logs: 'ingress.', tags: 'api.' };

/** The region whose ingress or API host this is, if it is one. */
export function regionOfHost(host: string | undefined): RegionId | undefined {
  const hostname = host?.toLowerCase().replace(/:\d+$/, '');
  if (hostname === undefined) return undefined;
  return REGION_IDS.find((region) => Object.values(HOST_PREFIX).some((prefix) => hostname === `${prefix}${REGIONS[region].domain}`));
}

export function validateSinglesBody(body: unknown): { entries: AcceptedEntry[] } | { error: string } {
  if (!Array.isArray(body)) return { error: 'The body must be a JSON array of log entries' };
  if (body.length === 0) return { error: 'The body holds no log entries' };
  for (const [index, entry] of body.entries()) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { error: `Entry ${index} is not an object` };
    for (const [field, value] of Object.entries(entry as Record<string, unknown>)) {
      const expected = ENTRY_FIELDS[field];
      if (!expected) return { error: `Entry ${index} has an unknown field ${field}` };
      if (typeof value !== expected) return { error: `Entry ${index} field ${field} must be a ${expected}` };
    }
    for (const field of REQUIRED_FIELDS) {
      const value = (entry as Record<string, unknown>)[field];
      if (typeof value !== 'string' || value.trim() === '') return { error: `Entry ${index} is missing ${field}` };
    }
    const { severity, timestamp } = entry as { severity?: number; timestamp?: number };
    if (severity !== undefined && !(Number.isInteger(severity) && severity >= 1 && severity <= 6)) {
      return { error: `Entry ${index} severity must be an integer from 1 to 6` };
    }
    if (timestamp !== undefined && !(Number.isFinite(timestamp) && timestamp > 0)) {
      return { error: `Entry ${index} timestamp must be milliseconds since the epoch` };
    }
  }
  return { entries: body as AcceptedEntry[] };
}

const TAG_FIELDS = new Set(['name', 'timestamp', 'application', 'subsystem', 'iconUrl']);
// Epoch milliseconds before this are almost surely seconds: Coralogix would file the tag in 1970,
// where no Version Benchmark would ever show it.
const EARLIEST_TAG_MS = Date.UTC(2000, 0, 1);

function nonEmptyStrings(value: unknown, field: string): string | undefined {
  // Coralogix's tutorial: application and subsystem "should always be contained between square
  // brackets, even if it is an array of one element".
  if (!Array.isArray(value)) return `${field} must be an array of names`;
  if (value.length === 0) return `${field} must name at least one ${field}`;
  const bad = value.findIndex((item) => typeof item !== 'string' || item.trim() === '');
  return bad === -1 ? undefined : `${field}[${bad}] must be a non-empty string`;
}

export function validateTagBody(body: unknown): { tag: TagBody } | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: 'The body must be a JSON object' };
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((field) => !TAG_FIELDS.has(field));
  if (unknown !== undefined) return { error: `Unknown field ${unknown}` };
  if (typeof fields.name !== 'string' || fields.name.trim() === '') return { error: 'name must be a non-empty string' };
  const { timestamp, iconUrl } = fields;
  if (typeof timestamp === 'number') {
    if (!Number.isFinite(timestamp) || timestamp < EARLIEST_TAG_MS) return { error: 'timestamp must be milliseconds since the epoch' };
  } else if (typeof timestamp === 'string') {
    if (!Number.isFinite(Date.parse(timestamp))) return { error: 'timestamp must be a date string or milliseconds since the epoch' };
  } else if (timestamp !== undefined) {
    return { error: 'timestamp must be a date string or milliseconds since the epoch' };
  }
  const listError = nonEmptyStrings(fields.application, 'application') ?? nonEmptyStrings(fields.subsystem, 'subsystem');
  if (listError !== undefined) return { error: listError };
  if (iconUrl !== undefined && !(typeof iconUrl === 'string' && /^https?:\/\/\S+$/i.test(iconUrl))) {
    return { error: 'iconUrl must be an http(s) URL' };
  }
  return { tag: fields as unknown as TagBody };
}

export class CoralogixReceiver {
  readonly entries: AcceptedEntry[] = [];
  /** Requests to the logs endpoint (and to unknown paths). */
  readonly requests: ReceivedRequest[] = [];
  readonly tags: AcceptedTag[] = [];
  /** Requests to the version tags endpoint. */
  readonly tagRequests: ReceivedTagRequest[] = [];
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly listeners = new Set<(entries: AcceptedEntry[]) => void>();
  private readonly tagListeners = new Set<(tag: AcceptedTag) => void>();
  private port = 0;

  private constructor(
    private readonly server: Server,
    /** Send-Your-Data keys: accepted on the logs endpoint only. */
    readonly acceptedKeys: Set<string>,
    /** API keys with the CICDIntegration preset: accepted on the tags endpoint only. */
    readonly acceptedTagsKeys: Set<string>,
  ) {}

  /** Replaces the keys this receiver accepts (an admin rotating the Send-Your-Data key). */
  acceptKeys(...apiKeys: string[]): void {
    this.acceptedKeys.clear();
    for (const key of apiKeys) this.acceptedKeys.add(key);
  }

  /** Replaces the tags (CICD integration) keys this receiver accepts. */
  acceptTagsKeys(...apiKeys: string[]): void {
    this.acceptedTagsKeys.clear();
    for (const key of apiKeys) this.acceptedTagsKeys.add(key);
  }

  static async start(options: { apiKeys: string[]; tagsKeys?: string[]; port?: number }): Promise<CoralogixReceiver> {
    const server = createServer();
    const receiver = new CoralogixReceiver(server, new Set(options.apiKeys), new Set(options.tagsKeys ?? []));
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void receiver.handle(request, response));
    server.on('connection', (socket: Socket) => {
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /**
   * Queues faults. Each is applied to one incoming request, in order: a fault with a `path` waits
   * for a request to that endpoint (so a test can fail tags while logs pass), one without takes the
   * next request of any kind.
   */
  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Queues faults for the version tags endpoint only. */
  injectTags(...faults: Fault[]): void {
    this.inject(...faults.map((fault) => ({ ...fault, path: 'tags' as const })));
  }

  /** Faults still waiting for their request. */
  get pendingFaults(): number {
    return this.faults.length;
  }

  onEntries(listener: (entries: AcceptedEntry[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onTags(listener: (tag: AcceptedTag) => void): () => void {
    this.tagListeners.add(listener);
    return () => this.tagListeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Stops listening (clients get "connection refused") until resume(); entries are kept. */
  async stop(): Promise<void> {
    this.port = (this.server.address() as AddressInfo).port;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async resume(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      await this.answer(request, response);
    } catch {
      // The client went away mid-request (e.g. it timed out): nothing to answer.
      response.destroy();
    }
  }

  private takeFault(path: FaultPath | undefined): Fault | undefined {
    const index = this.faults.findIndex((fault) => fault.path === undefined || fault.path === path);
    return index === -1 ? undefined : this.faults.splice(index, 1)[0];
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = request.url === SINGLES_PATH ? 'logs' : request.url === TAGS_PATH ? 'tags' : undefined;
    const fault = this.takeFault(path);
    if (fault?.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    const forwarded = request.headers[FORWARDED_HOST_HEADER];
    const host = (typeof forwarded === 'string' ? forwarded : undefined) ?? request.headers.host;

    const { bytes, text } = await readBody(request, MAX_REQUEST_BYTES);
    // A slow Coralogix is one that has taken the entries and answers late: the body is processed
    // first, so a client that gives up and retries causes a duplicate, as it would in production.
    const reply = async (status: number, error?: string, entries = 0, headers: Record<string, string> = {}, body: object = {}) => {
      if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      const record = { status, bytes, at: Date.now(), ...(error ? { error } : {}), ...(host ? { host } : {}) };
      if (path === 'tags') this.tagRequests.push(record);
      else this.requests.push({ ...record, entries });
      if (response.destroyed || request.socket.destroyed) return;
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(error ? { error } : body));
    };

    if (fault?.kind === 'status') {
      return reply(fault.status, `injected HTTP ${fault.status}`, 0, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    }
    if (path === undefined) return reply(404, `No such endpoint: ${request.url ?? ''}`);
    // A routed request names the Coralogix host it was meant for: logs are served only at the ingress
    // and tags only at the API host, so a request sent to the wrong one fails as it would there.
    const region = regionOfHost(host);
    if (region !== undefined && !host?.toLowerCase().startsWith(HOST_PREFIX[path])) {
      return reply(
        404,
        `No such endpoint at ${host ?? ''}: ${request.url ?? ''} is served at ${HOST_PREFIX[path]}${REGIONS[region].domain}`,
      );
    }
    if (path === 'tags' && region !== undefined && !offersVersionTags(region)) {
      return reply(404, `No such endpoint at ${host ?? ''}: ${region} offers no version tags`);
    }
    if (request.method !== 'POST') return reply(405, 'Only POST is allowed');
    const authorization = request.headers.authorization ?? '';
    const match = /^Bearer (\S+)$/.exec(authorization);
    if (!match) return reply(401, 'Missing Bearer API key');
    const key = match[1] ?? '';
    if (path === 'logs' && !this.acceptedKeys.has(key)) {
      return reply(
        403,
        this.acceptedTagsKeys.has(key)
          ? 'A CICD integration key cannot send logs: use the Send-Your-Data API key'
          : 'The API key is not valid for this region',
      );
    }
    if (path === 'tags' && !this.acceptedTagsKeys.has(key)) {
      return reply(
        403,
        this.acceptedKeys.has(key)
          ? 'A Send-Your-Data key cannot create version tags: use an API key with the CICDIntegration preset'
          : 'The API key is not valid for this region',
      );
    }
    if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return reply(400, 'Content-Type must be application/json');
    }
    if (text === undefined) return reply(413, `The request is ${bytes} bytes, over the 2 MB limit`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return reply(400, 'The body is not valid JSON');
    }
    if (path === 'tags') {
      const result = validateTagBody(body);
      if ('error' in result) return reply(400, result.error);
      const tag: AcceptedTag = { body: result.tag, host, region, receivedAt: Date.now() };
      this.tags.push(tag);
      for (const listener of this.tagListeners) listener(tag);
      // "cURL Version Tags" documents no status or response body: this answers 201 with a small
      // body, and the app must take any 2xx as success and read nothing from the body.
      return reply(201, undefined, 0, {}, { name: result.tag.name });
    }
    const result = validateSinglesBody(body);
    if ('error' in result) return reply(400, result.error);
    this.entries.push(...result.entries);
    for (const listener of this.listeners) listener(result.entries);
    return reply(200, undefined, result.entries.length);
  }
}
