import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { SETTINGS_BUILD_DIR } from './bridge-host';
import { SandboxError } from './errors';

// What the person starting the sandbox can get wrong, checked before anything starts, so each comes
// back as one line saying how to fix it rather than a stack from half-way through start-up.

/** The URL entries go to instead of the embedded receiver. */
export function parseCoralogixUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SandboxError(`--coralogix-url must be an absolute http(s) URL, such as https://ingress.eu2.coralogix.com (got "${raw}")`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SandboxError('--coralogix-url must use http or https');
  // Credentials in the URL would be sent in the clear next to the app's own Bearer key.
  if (url.username || url.password)
    throw new SandboxError('--coralogix-url must not contain credentials: the app sends the saved key as a Bearer token');
  return url;
}

export async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new SandboxError(`Port ${port} is in use: choose another with --port <n>, or --port 0 for a free one`)
          : new SandboxError(`Cannot listen on port ${port}: ${error.code ?? error.message}`),
      );
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

export function assertSettingsPageBuilt(): void {
  if (!existsSync(path.join(SETTINGS_BUILD_DIR, 'index.html'))) {
    throw new SandboxError('The settings page is not built yet: run `npm run build:ui` (`npm start` does it for you)');
  }
}
