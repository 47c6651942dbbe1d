import { spawn } from 'node:child_process';
import path from 'node:path';
import { buildSync } from 'esbuild';

/**
 * bench/probe.ts as one plain-Node file at `outfile`: run with `node`, not a TypeScript loader, so
 * what it times is Node loading the deployed bundle.
 */
export function buildProbe(outfile: string): void {
  buildSync({
    entryPoints: [path.join(__dirname, 'probe.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
}

/** Runs one mode of a bundled bench/probe.ts in a Node process of its own and returns its result. */
export function runProbe<T>(probeFile: string, mode: string, options: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [probeFile, mode, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) reject(new Error(`probe ${mode} failed (exit ${code}): ${stderr.trim()}`));
      else resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as T);
    });
  });
}
