import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ForgePlatform, ResolverFunction } from './platform/forge-platform';

// The Bitbucket side of a Custom UI page: serves the built page and answers @forge/bridge. The
// bridge looks for globalThis.__bridge.callBridge when its modules load, so a shim defining it is
// put in front of the page's own scripts; it forwards invoke() here, where the platform emulation
// calls the app's real resolver function with the account this host has signed in.

export const SETTINGS_BUILD_DIR = path.resolve(__dirname, '../static/settings/build');

export interface BridgeHostOptions {
  platform: ForgePlatform;
  resolver: ResolverFunction;
  /** The signed-in Bitbucket account; undefined for a signed-out visitor. */
  accountId: string | undefined;
  buildDir?: string;
  port?: number;
  /** Extra routes (the sandbox adds its own pages); return true when handled. */
  extraRoutes?: (request: IncomingMessage, response: ServerResponse, body: string) => Promise<boolean>;
}

// When a resolver fails with NEEDS_AUTHENTICATION_ERR (the user has not let the app act as them yet),
// Forge shows its own consent prompt around the app; the local host draws a stand-in, and reloads the
// page once the user allows access. The page's pending call is left unanswered meanwhile.
const SHIM = `
(() => {
  const theme = new URLSearchParams(location.search).get('theme') === 'dark' ? 'dark' : 'light';
  const showConsentPrompt = () => {
    if (document.getElementById('forge-consent-prompt')) return;
    const prompt = document.createElement('div');
    prompt.id = 'forge-consent-prompt';
    prompt.setAttribute('role', 'dialog');
    prompt.setAttribute('aria-label', 'Allow access');
    Object.assign(prompt.style, { position: 'fixed', inset: '0', background: 'rgba(9,30,66,0.54)', display: 'flex', alignItems: 'center', justifyContent: 'center', zIndex: '1000' });
    const card = document.createElement('div');
    Object.assign(card.style, { background: '#fff', color: '#172b4d', padding: '24px', borderRadius: '8px', maxWidth: '420px', font: '14px system-ui, sans-serif' });
    const title = document.createElement('h2');
    title.textContent = 'Allow access';
    const text = document.createElement('p');
    text.textContent = 'This app needs your permission to act on your behalf in Bitbucket (to check your role in this workspace).';
    const allow = document.createElement('button');
    allow.textContent = 'Allow access';
    allow.dataset.testid = 'forge-consent-allow';
    allow.addEventListener('click', async () => {
      await fetch('/__forge/consent', { method: 'POST' });
      location.reload();
    });
    card.append(title, text, allow);
    prompt.append(card);
    document.body.append(prompt);
  };
  const post = async (url, body) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = await response.json();
    if (answer.consentRequired) {
      showConsentPrompt();
      return new Promise(() => undefined);
    }
    if (!response.ok) throw new Error(answer.message || 'The host could not run the resolver');
    return answer.value;
  };
  globalThis.__bridge = {
    callBridge: async (name, payload) => {
      switch (name) {
        case 'getContext': return { ...(await post('/__forge/context', {})), theme: { colorMode: theme } };
        case 'enableTheming': return undefined;
        case 'invoke': {
          const body = await post('/__forge/invoke', { functionKey: payload.functionKey, payload: payload.payload });
          return payload.metadata ? { body, metadata: {} } : body;
        }
        default: throw new Error('The local host does not support the bridge call ' + name);
      }
    },
  };
})();
`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

// Close to what Forge applies to Custom UI: no inline script or style, everything from the page's own origin.
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'self'";

export class BridgeHost {
  accountId: string | undefined;
  readonly invocations: Array<{ functionKey: string; ok: boolean }> = [];

  private constructor(
    private readonly server: Server,
    private readonly options: BridgeHostOptions,
  ) {
    this.accountId = options.accountId;
  }

  static async start(options: BridgeHostOptions): Promise<BridgeHost> {
    const server = createServer();
    const host = new BridgeHost(server, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      host.handle(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'The local host failed' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    return host;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = request.method === 'POST' ? await readBody(request) : '';
    if (this.options.extraRoutes && (await this.options.extraRoutes(request, response, body))) return;

    if (request.method === 'POST' && url.pathname === '/__forge/context') {
      const { platform } = this.options;
      return json(response, 200, {
        value: {
          accountId: this.accountId,
          workspaceId: platform.workspaceId,
          moduleKey: 'coralogix-settings',
          locale: 'en-US',
          extension: { type: 'bitbucket:workspaceSettingsMenuPage', workspace: { uuid: platform.workspaceId } },
        },
      });
    }
    if (request.method === 'POST' && url.pathname === '/__forge/invoke') {
      const call = JSON.parse(body || '{}') as { functionKey?: unknown; payload?: unknown };
      if (typeof call.functionKey !== 'string') return json(response, 400, { message: 'functionKey is required' });
      const result = await this.options.platform.callResolver(this.options.resolver, call.functionKey, call.payload ?? {}, { accountId: this.accountId });
      this.invocations.push({ functionKey: call.functionKey, ok: result.ok });
      if (!result.ok && result.error instanceof Error && result.error.name === 'NEEDS_AUTHENTICATION_ERR') {
        return json(response, 200, { message: 'The user has not allowed the app to act on their behalf', consentRequired: true });
      }
      if (!result.ok) return json(response, 500, { message: 'The resolver function failed' });
      return json(response, 200, { value: result.value });
    }
    if (request.method === 'POST' && url.pathname === '/__forge/consent') {
      if (this.accountId !== undefined) this.options.platform.defaultInstallation.consentMissing.delete(this.accountId);
      return json(response, 200, { value: true });
    }
    if (request.method === 'GET' && url.pathname === '/__forge_bridge_shim.js') {
      response.writeHead(200, { 'content-type': CONTENT_TYPES['.js'] as string, 'cache-control': 'no-store' });
      response.end(SHIM);
      return;
    }
    if (request.method === 'GET') return this.serveStatic(url.pathname, response);
    return json(response, 404, { message: 'Not found' });
  }

  private async serveStatic(pathname: string, response: ServerResponse): Promise<void> {
    const root = this.options.buildDir ?? SETTINGS_BUILD_DIR;
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep)) return json(response, 404, { message: 'Not found' });
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch {
      return json(response, 404, { message: 'Not found' });
    }
    const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    if (relative === 'index.html') {
      const html = content.toString('utf8').replace('<head>', '<head>\n    <script src="./__forge_bridge_shim.js"></script>');
      response.writeHead(200, { 'content-type': type, 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-store' });
      response.end(html);
      return;
    }
    response.writeHead(200, { 'content-type': type });
    response.end(content);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
