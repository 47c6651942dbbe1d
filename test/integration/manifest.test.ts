import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validate } from '@forge/manifest';
import { parse } from 'yaml';
import { EVENT_CATALOG, EVENT_TYPES } from '../../src/core/catalog';
import { ingressHost, REGION_IDS } from '../../src/core/regions';

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

/** The validator resolves handlers relative to the manifest, so a variant needs src/ beside it. */
function variant(edit: (text: string) => string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'manifest-'));
  cpSync(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'manifest.yml'), edit(readFileSync(MANIFEST, 'utf8')));
  return path.join(dir, 'manifest.yml');
}

interface Manifest {
  modules: { trigger: Array<{ events: string[]; filter?: unknown }> };
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

  it('declares exactly the scopes the events and storage need', () => {
    const needed = new Set<string>(Object.values(EVENT_CATALOG).map((entry) => entry.scope));
    needed.add('storage:app');
    expect([...manifest.permissions.scopes].sort()).toEqual([...needed].sort());
  });

  it('lets the backend reach only the Coralogix ingress hosts', () => {
    const addresses = manifest.permissions.external.fetch.backend.map((entry) => entry.address).sort();
    expect(addresses).toEqual(REGION_IDS.map(ingressHost).sort());
  });
});
