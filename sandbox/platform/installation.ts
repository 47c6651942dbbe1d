import { BitbucketEmulator } from './bitbucket-emulator';
import { KvsEmulator } from './kvs-emulator';
import { ProductEventEmulator } from './product-events';
import { QueueEmulator } from './queue-emulator';

/** One workspace that installed the app: what the platform keeps apart per installation. */
export class Installation {
  readonly kvs: KvsEmulator;
  readonly bitbucket = new BitbucketEmulator();
  readonly queue: QueueEmulator;
  readonly productEvents: ProductEventEmulator;
  /** Accounts that have not yet granted the app access as themselves: asUser() calls need their consent. */
  readonly consentMissing = new Set<string>();

  constructor(
    readonly workspaceId: string,
    readonly installationId: string,
    now: () => number,
    kvsFile?: string,
  ) {
    this.kvs = new KvsEmulator(now, kvsFile);
    this.queue = new QueueEmulator(now);
    this.productEvents = new ProductEventEmulator(now);
  }

  get installContext(): string {
    return `ari:cloud:bitbucket::workspace/${this.workspaceId.replace(/[{}]/g, '')}`;
  }
}
