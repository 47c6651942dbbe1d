import { kvs } from '@forge/kvs';
import { isConflict } from './drain-schedule';

// A lease in KVS makes one run of a job per installation (the backlog's drain, the version tags'
// retry): FAIL_IF_EXISTS takes it, and its TTL frees it if its holder dies mid-run.

interface Lease {
  owner: string;
  until: number;
}

/** `leaseSeconds` must be longer than any holder can run, so a lease outlives its holder only when the holder died. */
export async function acquireLease(key: string, now: number, owner: string, leaseSeconds: number): Promise<boolean> {
  const lease: Lease = { owner, until: now + leaseSeconds * 1000 };
  const ttl = { value: leaseSeconds, unit: 'SECONDS' as const };
  try {
    await kvs.set(key, lease, { keyPolicy: 'FAIL_IF_EXISTS', ttl });
    return true;
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  // A lease past its time (its holder died) may linger until storage removes it: taken over by a
  // swap, and only the run that saw the expired one come back wins.
  const current = await kvs.get<Lease>(key);
  if (current && current.until > now) return false;
  const swapped = await kvs.set<Lease, Lease>(key, lease, { keyPolicy: 'OVERRIDE', returnValue: 'PREVIOUS', ttl });
  const previous = swapped?.value;
  return previous === undefined || previous.until <= now;
}

export async function releaseLease(key: string, owner: string): Promise<void> {
  const current = await kvs.get<Lease>(key);
  if (current?.owner === owner) await kvs.delete(key);
}
