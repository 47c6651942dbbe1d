import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Account, ReceiverItem, Sandbox } from './sandbox';

// The sandbox's own pages and endpoints, served next to the settings page by BridgeHost so the page,
// its bridge shim and these share one origin. The settings page itself stays BridgeHost's; `/` is a
// frame around it, as Bitbucket frames a Custom UI page.

export const PAGES_DIR = path.resolve(__dirname, 'pages');

const PAGES: Record<string, string> = {
  '/': 'shell.html',
  '/console': 'console.html',
  '/receiver': 'receiver.html',
  '/sandbox/assets/sandbox.css': 'sandbox.css',
  '/sandbox/assets/shell.js': 'shell.js',
  '/sandbox/assets/console.js': 'console.js',
  '/sandbox/assets/receiver.js': 'receiver.js',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

// The same rules Forge applies to Custom UI, so these pages cannot lean on inline script or style either.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

const MAX_BODY_BYTES = 1_000_000;
const KEEP_ALIVE_MS = 15_000;

type JsonObject = Record<string, unknown>;

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
  return true;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** The body as a JSON object, or the 4xx answer that explains what is wrong with it. */
function parseObjectBody(body: string): { value: JsonObject } | { status: number; message: string } {
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) return { status: 413, message: `The request body is larger than ${MAX_BODY_BYTES} bytes` };
  if (body.trim() === '') return { status: 400, message: 'The request body is empty: send a JSON object' };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { status: 400, message: `The request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isObject(value)) return { status: 400, message: `The request body must be a JSON object, not ${describeJsonType(value)}` };
  return { value };
}

/** `after` from the query: the seq of the last item the client has. */
function parseAfter(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return 0;
  if (!/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/** An EventSource's Last-Event-ID, `<session>:<seq>`: from an earlier run of the sandbox, everything is new. */
function afterLastEventId(raw: string, session: string): number {
  const match = /^([0-9a-f]+):(\d{1,15})$/.exec(raw);
  return match && match[1] === session ? Number(match[2]) : 0;
}

export function createSandboxRoutes(sandbox: Sandbox): (request: IncomingMessage, response: ServerResponse, body: string) => Promise<boolean> {
  const api: Record<string, Partial<Record<string, (url: URL, request: IncomingMessage, response: ServerResponse, body: string) => Promise<true> | true>>> = {
    '/sandbox/state': {
      GET: async (_url, _request, response) => json(response, 200, await sandbox.state()),
    },
    '/sandbox/fixtures': {
      GET: (_url, _request, response) => json(response, 200, { fixtures: sandbox.fixtures }),
    },
    '/sandbox/fire': {
      POST: async (_url, _request, response, body) => {
        const parsed = parseObjectBody(body);
        if ('status' in parsed) return json(response, parsed.status, { message: parsed.message });
        const { payload } = parsed.value;
        if (payload === undefined) return json(response, 400, { message: 'payload is required: the Forge event to fire, as a JSON object' });
        if (!isObject(payload)) return json(response, 400, { message: `payload must be a JSON object (a Forge event), not ${describeJsonType(payload)}` });
        const result = await sandbox.fire(payload);
        const eventType = typeof payload.eventType === 'string' ? payload.eventType : 'an event without eventType';
        sandbox.log(`Fired ${eventType} from the console: ${result.outcome}`);
        return json(response, 200, { result });
      },
    },
    '/sandbox/configure': {
      POST: async (_url, _request, response) => {
        if (sandbox.destination.kind === 'external') {
          return json(response, 409, { message: 'Entries go to another endpoint: save your own key for it on the settings page.' });
        }
        await sandbox.configureDefaults();
        return json(response, 200, await sandbox.state());
      },
    },
    '/sandbox/account': {
      GET: (_url, _request, response) => json(response, 200, { account: sandbox.account }),
      POST: (_url, _request, response, body) => {
        const parsed = parseObjectBody(body);
        if ('status' in parsed) return json(response, parsed.status, { message: parsed.message });
        const account = parsed.value.account;
        if (account !== 'admin' && account !== 'member') return json(response, 400, { message: 'account must be "admin" or "member"' });
        sandbox.setAccount(account satisfies Account);
        return json(response, 200, { account });
      },
    },
    '/sandbox/entries': {
      GET: (url, _request, response) => {
        const after = parseAfter(url.searchParams.get('after') ?? undefined);
        if (after === undefined) return json(response, 400, { message: 'after must be a non-negative integer: the seq of the last item you have' });
        return json(response, 200, { items: sandbox.receiverLog.after(after).reverse(), lastSeq: sandbox.receiverLog.lastSeq, destination: sandbox.destination });
      },
    },
    '/sandbox/events': {
      GET: (url, request, response) => {
        const lastEventId = request.headers['last-event-id'];
        const after = typeof lastEventId === 'string' ? afterLastEventId(lastEventId, sandbox.receiverLog.session) : parseAfter(url.searchParams.get('after') ?? undefined);
        if (after === undefined) return json(response, 400, { message: 'after must be a non-negative integer: the seq of the last item you have' });
        response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
        const send = (item: ReceiverItem) => response.write(`id: ${sandbox.receiverLog.session}:${item.seq}\nevent: item\ndata: ${JSON.stringify(item)}\n\n`);
        response.write('retry: 2000\n\n');
        for (const item of sandbox.receiverLog.after(after)) send(item);
        const unsubscribe = sandbox.receiverLog.subscribe(send);
        // Comments keep idle connections from being closed by anything in between.
        const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
        response.on('close', () => {
          unsubscribe();
          clearInterval(keepAlive);
        });
        return true;
      },
    },
    // Taken over from BridgeHost so that the page's resolver calls take turns with the sandbox's
    // own invocations (see Serial in sandbox.ts).
    '/__forge/invoke': {
      POST: async (_url, _request, response, body) => {
        const parsed = parseObjectBody(body);
        if ('status' in parsed) return json(response, parsed.status, { message: parsed.message });
        const { functionKey, payload } = parsed.value;
        if (typeof functionKey !== 'string') return json(response, 400, { message: 'functionKey is required' });
        const result = await sandbox.callResolver(functionKey, payload ?? {});
        if (!result.ok) return json(response, 500, { message: 'The resolver function failed' });
        return json(response, 200, { value: result.value });
      },
    },
  };

  return async (request, response, body) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const page = PAGES[url.pathname];
    if (page && (method === 'GET' || method === 'HEAD')) {
      const content = await readFile(path.join(PAGES_DIR, page));
      response.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(page)] ?? 'application/octet-stream',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      response.end(method === 'HEAD' ? undefined : content);
      return true;
    }
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204);
      response.end();
      return true;
    }
    const routes = api[url.pathname];
    if (!routes) {
      return url.pathname.startsWith('/sandbox/') ? json(response, 404, { message: `No sandbox endpoint ${url.pathname}` }) : false;
    }
    const handler = routes[method];
    if (!handler) return json(response, 405, { message: `${url.pathname} answers ${Object.keys(routes).join(', ')}` }, { allow: Object.keys(routes).join(', ') });
    try {
      return await handler(url, request, response, body);
    } catch (error) {
      if (response.headersSent) {
        response.end();
        return true;
      }
      return json(response, 500, { message: error instanceof Error ? error.message : String(error) });
    }
  };
}
