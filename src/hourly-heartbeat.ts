// The scheduled trigger's handler module (manifest.yml `heartbeat`, hourly), bundled on its own by
// `forge deploy`.
import { runHeartbeat, type HeartbeatResult } from './platform/heartbeat';

export async function heartbeat(_event: unknown, _context: unknown): Promise<HeartbeatResult> {
  return runHeartbeat();
}
