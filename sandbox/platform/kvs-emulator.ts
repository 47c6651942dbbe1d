import { FORGE_KVS_LIMITS, KvsQuota, unitsOf, type QuotaKind, type QuotaLimits } from './kvs-quota';
import { KvsOperations, type KvsCounters } from './kvs-operations';
import { KvsError, KvsStore } from './kvs-store';

// The platform's side of the Forge KVS REST API on the wire, as @forge/kvs calls it (POST
// /api/v1/... with a JSON body): rate limits (kvs-quota.ts) and injected faults are applied here,
// before the operation (kvs-operations.ts) touches the store (kvs-store.ts), and refusals go back
// as Forge's storage answers them, a status with a JSON {code, message}.
const READ_OPERATIONS = new Set(['/api/v1/get', '/api/v1/secret/get', '/api/v1/query', '/api/v1/batch/get']);

export type { KvsCounters } from './kvs-operations';

/**
 * A storage fault on demand. Forge's storage answers 429 (with Retry-After) past its per-installation
 * rate limits, and 5xx at times; @forge/kvs does not retry, it throws ForgeKvsAPIError.
 */
export interface StorageFault {
  /** The operations it hits: the path after /api/v1/ ('get', 'set', 'query', 'secret/get', 'batch/set', 'transaction', …); all when omitted. */
  readonly operations?: readonly string[];
  /** Only requests naming a key with this prefix (a query's prefix condition counts). */
  readonly keyPrefix?: string;
  /** Answer with this status; omitted, the request is only slowed. */
  readonly status?: number;
  readonly retryAfterS?: number;
  /** Answer this many real milliseconds later. */
  readonly delayMs?: number;
  /** How many requests it hits; every matching one when omitted. */
  times?: number;
}

/** The keys a KVS request names: its key, its batch items' keys, a query's prefixes, a transaction's keys. */
function keysNamedBy(body: unknown): string[] {
  const keys: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.key === 'string') keys.push(record.key);
    if (record.condition === 'BEGINS_WITH' && Array.isArray(record.values)) keys.push(...record.values.map(String));
    for (const field of ['where', 'set', 'delete', 'check']) if (record[field] !== undefined) visit(record[field]);
  };
  visit(body);
  return keys;
}

/** The first key a request names, up to its second colon: `backlog:body:`, `settings:v1`. */
function operationPrefix(body: unknown): string {
  const [key = ''] = keysNamedBy(body);
  const parts = key.split(':');
  return parts.length > 2 ? `${parts.slice(0, 2).join(':')}:` : key;
}

export class KvsEmulator {
  readonly counters: KvsCounters = { reads: 0, writes: 0, faults: 0 };
  private faults: StorageFault[] = [];
  readonly quota: KvsQuota;
  private readonly store: KvsStore;
  private readonly operations: KvsOperations;

  constructor(now: () => number = Date.now, persistFile?: string, limits: QuotaLimits = FORGE_KVS_LIMITS) {
    this.quota = new KvsQuota(now, limits);
    this.store = new KvsStore(now, persistFile);
    this.operations = new KvsOperations(this.store, this.counters, now);
  }

  /** Injects a fault; returns a function that lifts it. */
  injectFault(fault: StorageFault): () => void {
    const own = { ...fault };
    this.faults.push(own);
    return () => {
      this.faults = this.faults.filter((candidate) => candidate !== own);
    };
  }

  clearFaults(): void {
    this.faults = [];
  }

  private faultFor(path: string, body: unknown): StorageFault | undefined {
    const operation = path.replace(/^\/api\/v1\//, '');
    const keys = keysNamedBy(body);
    const fault = this.faults.find(
      (candidate) =>
        (candidate.times === undefined || candidate.times > 0) &&
        (candidate.operations === undefined || candidate.operations.includes(operation)) &&
        (candidate.keyPrefix === undefined || keys.some((key) => key.startsWith(candidate.keyPrefix as string))),
    );
    if (fault?.times !== undefined) fault.times -= 1;
    return fault;
  }

  /** Answers one SDK request; the result is what the platform would put on the wire. */
  async handle(path: string, init: RequestInit | undefined): Promise<Response> {
    try {
      const body: unknown = init?.body ? JSON.parse(String(init.body)) : {};
      const fault = this.faultFor(path, body);
      if (fault) this.counters.faults += 1;
      if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault?.status !== undefined) {
        const code = fault.status === 429 ? 'RATE_LIMIT_EXCEEDED' : 'INTERNAL_SERVER_ERROR';
        return Response.json(
          { code, message: `Injected storage fault (HTTP ${fault.status})` },
          { status: fault.status, headers: fault.retryAfterS === undefined ? {} : { 'Retry-After': String(fault.retryAfterS) } },
        );
      }
      const kind: QuotaKind = READ_OPERATIONS.has(path) ? 'read' : 'write';
      const label = `${path.replace(/^\/api\/v1\//, '')} ${operationPrefix(body)}`;
      const waitS = this.quota.admit(kind, kind === 'read' ? 1 : unitsOf(body), label);
      if (waitS !== undefined) {
        return Response.json(
          { code: 'RATE_LIMIT_EXCEEDED', message: 'Storage rate limit exceeded for this installation' },
          { status: 429, headers: { 'Retry-After': String(waitS) } },
        );
      }
      const result = this.operations.serve(path, body);
      if (kind === 'read') this.quota.charge('read', unitsOf(result) - 1, label);
      if (result === undefined) return new Response(null, { status: 204 });
      return Response.json(result, { status: 200 });
    } catch (error) {
      if (error instanceof KvsError) {
        return Response.json({ code: error.code, message: error.message }, { status: error.status });
      }
      if (error instanceof SyntaxError) {
        return Response.json({ code: 'BAD_REQUEST', message: 'Provided request body is invalid' }, { status: 400 });
      }
      throw error;
    }
  }

  /** Test and sandbox access without going through the SDK (not counted). */
  peek(key: string): unknown {
    return this.store.live('values', key)?.value;
  }

  peekSecret(key: string): unknown {
    return this.store.live('secrets', key)?.value;
  }

  keys(): string[] {
    return this.store.liveKeys();
  }
}
