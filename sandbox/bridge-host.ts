import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { answerInvoke, NO_BODY, readBody, sendContent, sendFile, sendJson, type RequestBody } from './http-server';
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
  extraRoutes?: (request: IncomingMessage, response: ServerResponse, body: RequestBody) => Promise<boolean>;
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
        if (response.headersSent) response.end();
        else sendJson(response, 500, { message: 'The local host failed' });
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
    const body = request.method === 'POST' ? await readBody(request) : NO_BODY;
    if (this.options.extraRoutes && (await this.options.extraRoutes(request, response, body))) return;

    const { platform } = this.options;
    if (request.method === 'POST' && url.pathname === '/__forge/context') {
      sendJson(response, 200, {
        value: {
          accountId: this.accountId,
          workspaceId: platform.workspaceId,
          moduleKey: 'coralogix-settings',
          locale: 'en-US',
          extension: { type: 'bitbucket:workspaceSettingsMenuPage', workspace: { uuid: platform.workspaceId } },
        },
      });
      return;
    }
    if (request.method === 'POST' && url.pathname === '/__forge/invoke') {
      await answerInvoke(response, body, async (functionKey, payload) => {
        const result = await platform.callResolver(this.options.resolver, functionKey, payload, { accountId: this.accountId });
        this.invocations.push({ functionKey, ok: result.ok });
        return result;
      });
      return;
    }
    if (request.method === 'POST' && url.pathname === '/__forge/consent') {
      if (this.accountId !== undefined) platform.defaultInstallation.consentMissing.delete(this.accountId);
      sendJson(response, 200, { value: true });
      return;
    }
    if (request.method === 'GET' && url.pathname === '/__forge_bridge_shim.js') {
      sendContent(response, '__forge_bridge_shim.js', SHIM);
      return;
    }
    if (request.method === 'GET' && (await this.serveBuilt(url.pathname, response))) return;
    sendJson(response, 404, { message: 'Not found' });
  }

  /** The built page, with the bridge shim put in front of its own scripts. */
  private serveBuilt(pathname: string, response: ServerResponse): Promise<boolean> {
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const injectShim = (html: string) => html.replace('<head>', '<head>\n    <script src="./__forge_bridge_shim.js"></script>');
    return sendFile(
      response,
      this.options.buildDir ?? SETTINGS_BUILD_DIR,
      relative,
      relative === 'index.html' ? { rewrite: injectShim } : {},
    );
  }
}
