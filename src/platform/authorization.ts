import api, { route } from '@forge/api';
import { perInstallation } from './installation';

// Only a workspace admin may configure where the workspace's activity goes. The page's own
// context (view.getContext) is not trusted; the resolver context's accountId is, and Bitbucket is
// asked, as that user, for the user's role in the workspace: "owner" is Bitbucket's admin role.
// GET /2.0/user/workspaces/{workspace}/permission replaced the cross-workspace permission
// endpoints retired under CHANGE-2770.
const ADMIN_PERMISSION = 'owner';
// A page load makes several resolver calls; one lookup serves them. Short, so a revoked admin loses
// access within the minute.
const DECISION_TTL_MS = 30_000;

export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export interface Caller {
  accountId: string;
  /** Bitbucket workspace UUID in braces. */
  workspaceId: string;
}

interface ResolverContextLike {
  accountId?: unknown;
  workspaceId?: unknown;
  installContext?: unknown;
}

/** The caller, from what the platform put in the resolver context (never from the page's payload). */
export function callerOf(context: ResolverContextLike): Caller {
  const accountId = typeof context.accountId === 'string' && context.accountId !== '' ? context.accountId : undefined;
  const fromAri = typeof context.installContext === 'string' ? /workspace\/([0-9a-f-]{36})$/i.exec(context.installContext)?.[1] : undefined;
  const workspaceId =
    typeof context.workspaceId === 'string' && context.workspaceId !== '' ? context.workspaceId : fromAri ? `{${fromAri}}` : undefined;
  if (!accountId || !workspaceId) throw new ForbiddenError('Sign in to Bitbucket as a workspace admin to use this page.');
  return { accountId, workspaceId };
}

const decisionsOfInstallation = perInstallation(() => new Map<string, { admin: boolean; at: number }>());

export async function isWorkspaceAdmin(caller: Caller, now: number = Date.now()): Promise<boolean> {
  const decisions = decisionsOfInstallation();
  const cacheKey = `${caller.accountId}|${caller.workspaceId}`;
  const cached = decisions.get(cacheKey);
  if (cached && now - cached.at < DECISION_TTL_MS && now >= cached.at) return cached.admin;
  const response = await api.asUser().requestBitbucket(route`/2.0/user/workspaces/${caller.workspaceId}/permission`, {
    headers: { Accept: 'application/json' },
  });
  let admin = false;
  if (response.ok) {
    const body = (await response.json()) as { permission?: unknown };
    admin = body.permission === ADMIN_PERMISSION;
  } else if (response.status !== 403 && response.status !== 404) {
    // Neither "yes" nor "no": do not cache, and do not let the caller in.
    throw new Error(`Bitbucket could not confirm the caller's workspace role (HTTP ${response.status})`);
  }
  // A page load makes a handful of calls; pruning stale decisions keeps the map at about one per recent caller.
  for (const [key, decision] of decisions) if (now - decision.at >= DECISION_TTL_MS || now < decision.at) decisions.delete(key);
  decisions.set(cacheKey, { admin, at: now });
  return admin;
}

export async function requireWorkspaceAdmin(context: ResolverContextLike): Promise<Caller> {
  const caller = callerOf(context);
  if (!(await isWorkspaceAdmin(caller))) {
    throw new ForbiddenError('Only administrators of this Bitbucket workspace can view or change the Coralogix settings.');
  }
  return caller;
}
