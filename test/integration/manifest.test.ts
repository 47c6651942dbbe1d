import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validate } from '@forge/manifest';
import { parse } from 'yaml';
import { EVENT_CATALOG, EVENT_TYPES } from '../../src/core/catalog';
import { egressHosts, ingressHost, REGION_IDS, tagsHost } from '../../src/core/regions';
import { RETRY_QUEUE_KEY } from '../../src/platform/retry-queue';
import { SEND_TIMEOUT_MS } from '../../src/platform/transport';

const ROOT = path.resolve(__dirname, '../..');
const MANIFEST = path.join(ROOT, 'manifest.yml');

interface Problem {
  level: string;
  message: string;
  line?: number;
}

async function problemsOf(manifestPath: string): Promise<Problem[]> {
  const result = await validate(false, manifestPath);
  return (result.errors ?? []) as Problem[];
}

/** The validator resolves handlers and resources relative to the manifest: a variant needs them beside it. */
function variant(edit: (text: string) => string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'manifest-'));
  cpSync(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  cpSync(path.join(ROOT, 'static/settings/build'), path.join(dir, 'static/settings/build'), { recursive: true });
  writeFileSync(path.join(dir, 'manifest.yml'), edit(readFileSync(MANIFEST, 'utf8')));
  return path.join(dir, 'manifest.yml');
}

interface Manifest {
  modules: {
    trigger: Array<{ events: string[]; filter?: unknown }>;
    consumer: Array<{ queue: string; function: string }>;
    scheduledTrigger: Array<{ function: string; interval: string }>;
    function: Array<{ key: string; handler: string; timeoutSeconds?: number }>;
    'bitbucket:workspaceSettingsMenuPage': Array<{ key: string; resource: string; resolver: { function: string } }>;
  };
  resources: Array<{ key: string; path: string }>;
  permissions: { scopes: string[]; external: { fetch: { backend: Array<{ address: string }> } } };
}
const manifest = parse(readFileSync(MANIFEST, 'utf8')) as Manifest;

describe('manifest.yml', () => {
  it('passes the Forge validator with no error and no warning', async () => {
    expect(await problemsOf(MANIFEST)).toEqual([]);
  }, 30_000);

  it('is checked strictly enough that a warning fails it', async () => {
    // A plain-string egress entry is deprecated: the validator warns, and this suite must notice.
    const withWarning = variant((text) => text.replace(/- address: (ingress\.eu1\.coralogix\.com)\n\s+inScopeEUD: true/, '- $1'));
    const problems = await problemsOf(withWarning);
    expect(problems.map((problem) => problem.level)).toEqual(['warning']);
  }, 30_000);

  it('subscribes one trigger to every Bitbucket event', () => {
    expect(manifest.modules.trigger).toHaveLength(1);
    expect([...(manifest.modules.trigger[0]?.events ?? [])].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('declares exactly the scopes the events, storage, the admin check, enrichment and the scope pickers need', () => {
    const needed = new Set<string>(Object.values(EVENT_CATALOG).map((entry) => entry.scope));
    needed.add('storage:app');
    needed.add('read:workspace:bitbucket');
    needed.add('read:user:bitbucket');
    needed.add('read:project:bitbucket');
    expect([...manifest.permissions.scopes].sort()).toEqual([...needed].sort());
  });

  it('lets the backend reach only the Coralogix ingress hosts, and the tags API where the region offers one', () => {
    const addresses = manifest.permissions.external.fetch.backend.map((entry) => entry.address).sort();
    expect(addresses).toEqual(egressHosts().sort());
    for (const region of REGION_IDS) expect(addresses).toContain(ingressHost(region));
    expect(addresses).toContain(tagsHost('EU1'));
    expect(addresses).not.toContain(tagsHost('GOV1'));
  });
});

describe('manifest.yml wiring', () => {
  const functions = new Map(manifest.modules.function.map((fn) => [fn.key, fn]));

  it('names for each function a handler module of its own that exports it, re-exported by src/index.ts', async () => {
    const index = (await import('../../src/index')) as Record<string, unknown>;
    const modules = new Set<string>();
    for (const fn of manifest.modules.function) {
      const [module = '', exported = ''] = fn.handler.split('.');
      modules.add(module);
      const handlerModule = (await import(path.join(ROOT, 'src', module))) as Record<string, unknown>;
      expect(typeof handlerModule[exported]).toBe('function');
      expect(index[exported]).toBe(handlerModule[exported]);
    }
    // One bundle per handler module (`forge deploy`): a module shared by two functions would load both everywhere.
    expect(modules.size).toBe(manifest.modules.function.length);
  });

  it('consumes the retry queue the app pushes to, with room for a send and its bookkeeping', () => {
    expect(manifest.modules.consumer).toEqual([expect.objectContaining({ queue: RETRY_QUEUE_KEY })]);
    const consumer = functions.get(manifest.modules.consumer[0]?.function ?? '');
    expect(consumer?.timeoutSeconds).toBeGreaterThanOrEqual((SEND_TIMEOUT_MS + 5_000) / 1000);
  });

  it('runs the heartbeat every hour', () => {
    expect(manifest.modules.scheduledTrigger).toEqual([expect.objectContaining({ interval: 'hour' })]);
    expect(functions.has(manifest.modules.scheduledTrigger[0]?.function ?? '')).toBe(true);
  });

  it('serves the built settings page as the workspace settings page, with its resolver', () => {
    const [pageModule] = manifest.modules['bitbucket:workspaceSettingsMenuPage'];
    const resource = manifest.resources.find((candidate) => candidate.key === pageModule?.resource);
    expect(resource?.path).toBe('static/settings/build');
    expect(existsSync(path.join(ROOT, resource?.path ?? '', 'index.html'))).toBe(true);
    expect(functions.get(pageModule?.resolver.function ?? '')?.handler).toMatch(/\.settingsResolver$/);
  });
});
