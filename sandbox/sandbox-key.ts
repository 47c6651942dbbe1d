import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SANDBOX_KEY_PATTERN = /^cxtp_sandbox_[A-Za-z0-9]{16,64}$/;

/** A stable key per data folder, so settings saved with it keep working after a restart. */
export function sandboxKeyIn(dataDir: string): string {
  const file = path.join(dataDir, 'sandbox-key');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (SANDBOX_KEY_PATTERN.test(saved)) return saved;
  }
  const key = `cxtp_sandbox_${randomBytes(12).toString('hex')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
