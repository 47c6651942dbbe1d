import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import {
  answerInvoke,
  describeJsonType,
  isObject,
  parseObjectBody,
  sendContent,
  sendFile,
  sendJson,
  type RequestBody,
} from './http-server';
import type { Account } from './state';
import type { ReceiverItem } from './receiver-log';
import type { Sandbox } from './sandbox';

// The sandbox's own pages and endpoints, served next to the settings page by BridgeHost so the page,
// its bridge shim and these share one origin. The settings page itself stays BridgeHost's; `/` is a
// frame around it, as Bitbucket frames a Custom UI page.

export const PAGES_DIR = path.resolve(__dirname, 'pages');

interface SandboxPage {
  /** In the tab's title and the top bar's links. */
  title: string;
  /** What the page shows below the top bar. */
  content: string;
  script: string;
  /** Added at the end of the top bar. */
  topbarExtra?: string;
  bodyClass?: string;
}

// In the order the top bar links them. Each is laid out by layout.html, which holds what they share.
const PAGES: Record<string, SandboxPage> = {
  '/': { title: 'Settings', content: 'shell.html', script: 'shell.js', topbarExtra: 'shell-topbar.html', bodyClass: 'shell' },
  '/console': { title: 'Event console', content: 'console.html', script: 'console.js' },
  '/receiver': { title: 'Receiver', content: 'receiver.html', script: 'receiver.js' },
};

const ASSETS: Record<string, string> = {
  '/sandbox/assets/sandbox.css': 'sandbox.css',
  '/sandbox/assets/entries.css': 'entries.css',
  '/sandbox/assets/common.js': 'common.js',
  '/sandbox/assets/shell.js': 'shell.js',
  '/sandbox/assets/console.js': 'console.js',
  '/sandbox/assets/receiver.js': 'receiver.js',
};

const KEEP_ALIVE_MS = 15_000;

// A slot alone on its line takes the line with it when it is empty, so a part a page lacks leaves no gap.
const SLOT = /^\{\{([a-z-]+)\}\}\n|\{\{([a-z-]+)\}\}/gm;

function fillSlots(template: string, slots: Record<string, string>): string {
  return template.replace(SLOT, (_slot, lineSlot: string | undefined, inlineSlot: string | undefined) => {
    if (lineSlot === undefined) return slots[inlineSlot ?? ''] ?? '';
    const value = slots[lineSlot] ?? '';
    return value === '' ? '' : `${value}\n`;
  });
}

/** Read on each request, so a page edited while the sandbox runs shows on reload. */
async function renderPage(pathname: string, page: SandboxPage): Promise<string> {
  const read = async (file: string) => (await readFile(path.join(PAGES_DIR, file), 'utf8')).trimEnd();
  const nav = Object.entries(PAGES).map(
    ([href, linked]) => `      <a href="${href}"${href === pathname ? ' aria-current="page"' : ''}>${linked.title}</a>`,
  );
  return fillSlots(await read('layout.html'), {
    title: page.title,
    script: page.script,
    'body-class': page.bodyClass ? ` class="${page.bodyClass}"` : '',
    nav: nav.join('\n'),
    'topbar-extra': page.topbarExtra ? await read(page.topbarExtra) : '',
    content: await read(page.content),
  });
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

type Handler = (url: URL, request: IncomingMessage, response: ServerResponse, body: RequestBody) => Promise<true> | true;

export function createSandboxRoutes(
  sandbox: Sandbox,
): (request: IncomingMessage, response: ServerResponse, body: RequestBody) => Promise<boolean> {
  const api: Record<string, Partial<Record<string, Handler>>> = {
    '/sandbox/state': {
      GET: async (_url, _request, response) => sendJson(response, 200, await sandbox.state()),
    },
    '/sandbox/fixtures': {
      GET: (_url, _request, response) => sendJson(response, 200, { fixtures: sandbox.fixtures }),
    },
    '/sandbox/fire': {
      POST: async (_url, _request, response, body) => {
        const parsed = parseObjectBody(body);
        if ('status' in parsed) return sendJson(response, parsed.status, { message: parsed.message });
        const { payload } = parsed.value;
        if (payload === undefined)
          return sendJson(response, 400, { message: 'payload is required: the Forge event to fire, as a JSON object' });
        if (!isObject(payload))
          return sendJson(response, 400, { message: `payload must be a JSON object (a Forge event), not ${describeJsonType(payload)}` });
        const result = await sandbox.fire(payload);
        const eventType = typeof payload.eventType === 'string' ? payload.eventType : 'an event without eventType';
        sandbox.log(`Fired ${eventType} from the console: ${result.outcome}`);
        return sendJson(response, 200, { result });
      },
    },
    '/sandbox/configure': {
      POST: async (_url, _request, response) => {
        if (sandbox.destination.kind === 'external') {
          return sendJson(response, 409, { message: 'Entries go to another endpoint: save your own key for it on the settings page.' });
        }
        await sandbox.configureDefaults();
        return sendJson(response, 200, await sandbox.state());
      },
    },
    '/sandbox/account': {
      GET: (_url, _request, response) => sendJson(response, 200, { account: sandbox.account }),
      POST: (_url, _request, response, body) => {
        const parsed = parseObjectBody(body);
        if ('status' in parsed) return sendJson(response, parsed.status, { message: parsed.message });
        const account = parsed.value.account;
        if (account !== 'admin' && account !== 'member') return sendJson(response, 400, { message: 'account must be "admin" or "member"' });
        sandbox.setAccount(account satisfies Account);
        return sendJson(response, 200, { account });
      },
    },
    '/sandbox/entries': {
      GET: (url, _request, response) => {
        const after = parseAfter(url.searchParams.get('after') ?? undefined);
        if (after === undefined)
          return sendJson(response, 400, { message: 'after must be a non-negative integer: the seq of the last item you have' });
        return sendJson(response, 200, {
          items: sandbox.receiverLog.after(after).reverse(),
          lastSeq: sandbox.receiverLog.lastSeq,
          destination: sandbox.destination,
        });
      },
    },
    '/sandbox/events': {
      GET: (url, request, response) => {
        const lastEventId = request.headers['last-event-id'];
        const after =
          typeof lastEventId === 'string'
            ? afterLastEventId(lastEventId, sandbox.receiverLog.session)
            : parseAfter(url.searchParams.get('after') ?? undefined);
        if (after === undefined)
          return sendJson(response, 400, { message: 'after must be a non-negative integer: the seq of the last item you have' });
        response.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        const send = (item: ReceiverItem) =>
          response.write(`id: ${sandbox.receiverLog.session}:${item.seq}\nevent: item\ndata: ${JSON.stringify(item)}\n\n`);
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
    // own invocations (see serial.ts).
    '/__forge/invoke': {
      POST: (_url, _request, response, body) =>
        answerInvoke(response, body, (functionKey, payload) => sandbox.callResolver(functionKey, payload)),
    },
  };

  return async (request, response, body) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const page = PAGES[url.pathname];
    const asset = ASSETS[url.pathname];
    const head = method === 'HEAD';
    if (page && (method === 'GET' || head)) return sendContent(response, page.content, await renderPage(url.pathname, page), { head });
    if (asset && (method === 'GET' || head) && (await sendFile(response, PAGES_DIR, asset, { head }))) return true;
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204);
      response.end();
      return true;
    }
    const routes = api[url.pathname];
    if (!routes) {
      return url.pathname.startsWith('/sandbox/') ? sendJson(response, 404, { message: `No sandbox endpoint ${url.pathname}` }) : false;
    }
    const handler = routes[method];
    if (!handler)
      return sendJson(
        response,
        405,
        { message: `${url.pathname} answers ${Object.keys(routes).join(', ')}` },
        { allow: Object.keys(routes).join(', ') },
      );
    try {
      return await handler(url, request, response, body);
    } catch (error) {
      if (response.headersSent) {
        response.end();
        return true;
      }
      return sendJson(response, 500, { message: error instanceof Error ? error.message : String(error) });
    }
  };
}
