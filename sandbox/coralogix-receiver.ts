import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readBody } from './http-server';

// A loopback stand-in for https://ingress.<domain>/logs/v1/singles that enforces the documented
// contract strictly, so a wrong guess in the app fails here rather than silently in production:
// Bearer Send-Your-Data key, application/json, a JSON array of entries with applicationName,
// subsystemName and text, severity 1–6, and the 2 MB request limit (taken as 2,000,000 bytes, the
// stricter reading of "2MB").

export const SINGLES_PATH = '/logs/v1/singles';
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
}

/** A scripted misbehaviour for the next request(s): fault-injection for delivery tests. */
export type Fault =
  { kind: 'pass' } | { kind: 'status'; status: number; retryAfter?: string } | { kind: 'delay'; ms: number } | { kind: 'reset' };

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

export class CoralogixReceiver {
  readonly entries: AcceptedEntry[] = [];
  readonly requests: ReceivedRequest[] = [];
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly listeners = new Set<(entries: AcceptedEntry[]) => void>();
  private port = 0;

  private constructor(
    private readonly server: Server,
    readonly acceptedKeys: Set<string>,
  ) {}

  /** Replaces the keys this receiver accepts (an admin rotating the Send-Your-Data key). */
  acceptKeys(...apiKeys: string[]): void {
    this.acceptedKeys.clear();
    for (const key of apiKeys) this.acceptedKeys.add(key);
  }

  static async start(options: { apiKeys: string[]; port?: number }): Promise<CoralogixReceiver> {
    const server = createServer();
    const receiver = new CoralogixReceiver(server, new Set(options.apiKeys));
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

  /** Queues faults, applied one per incoming request in order. */
  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  onEntries(listener: (entries: AcceptedEntry[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const fault = this.faults.shift();
    if (fault?.kind === 'reset') {
      request.socket.destroy();
      return;
    }

    const { bytes, text } = await readBody(request, MAX_REQUEST_BYTES);
    // A slow Coralogix is one that has taken the entries and answers late: the body is processed
    // first, so a client that gives up and retries causes a duplicate, as it would in production.
    const reply = async (status: number, error?: string, entries = 0, headers: Record<string, string> = {}) => {
      if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      this.requests.push({ status, bytes, entries, at: Date.now(), ...(error ? { error } : {}) });
      if (response.destroyed || request.socket.destroyed) return;
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(error ? { error } : {}));
    };

    if (fault?.kind === 'status') {
      return reply(fault.status, `injected HTTP ${fault.status}`, 0, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    }
    if (request.url !== SINGLES_PATH) return reply(404, `No such endpoint: ${request.url ?? ''}`);
    if (request.method !== 'POST') return reply(405, 'Only POST is allowed');
    const authorization = request.headers.authorization ?? '';
    const match = /^Bearer (\S+)$/.exec(authorization);
    if (!match) return reply(401, 'Missing Bearer API key');
    if (!this.acceptedKeys.has(match[1] ?? '')) return reply(403, 'The API key is not valid for this region');
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
    const result = validateSinglesBody(body);
    if ('error' in result) return reply(400, result.error);
    this.entries.push(...result.entries);
    for (const listener of this.listeners) listener(result.entries);
    return reply(200, undefined, result.entries.length);
  }
}
