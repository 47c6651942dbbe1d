// Bitbucket Cloud REST as Forge's product proxy answers requestBitbucket: routes are answered from
// fixtures registered by the test or sandbox; anything else is a 404, as Bitbucket would answer.

export type BitbucketPrincipal = { kind: 'app' } | { kind: 'user'; accountId: string | undefined };

export interface BitbucketCall {
  readonly method: string;
  readonly path: string;
  readonly principal: BitbucketPrincipal;
}

type Answer = { status: number; body?: unknown } | undefined;
/** May answer later (a slow Bitbucket); undefined passes the call on. */
export type BitbucketResponder = (call: BitbucketCall) => Answer | Promise<Answer>;

export class BitbucketEmulator {
  readonly calls: BitbucketCall[] = [];
  private readonly routes = new Map<string, unknown>();
  private readonly responders: BitbucketResponder[] = [];

  /** Serves `body` for GET `path` (query string ignored) to any principal. */
  serve(path: string, body: unknown): void {
    this.routes.set(path, body);
  }

  /** Serves every route of a fixture file ({ routes: { path: body } }). */
  serveAll(routes: Record<string, unknown>): void {
    for (const [path, body] of Object.entries(routes)) this.serve(path, body);
  }

  /** Serves computed answers, e.g. per user; the first responder that answers wins. */
  respond(responder: BitbucketResponder): void {
    this.responders.push(responder);
  }

  /**
   * Answers GET /2.0/user/workspaces/{workspace}/permission for the requesting user: their role, or
   * 404 for someone who is not a member.
   */
  serveWorkspaceRoles(workspaceId: string, roles: Record<string, 'owner' | 'create-project' | 'collaborator' | 'member'>): void {
    this.respond((call) => {
      if (call.method !== 'GET' || call.path.split('?')[0] !== `/2.0/user/workspaces/${workspaceId}/permission`) return undefined;
      const accountId = call.principal.kind === 'user' ? call.principal.accountId : undefined;
      const permission = accountId === undefined ? undefined : roles[accountId];
      if (permission === undefined) return { status: 404, body: { type: 'error', error: { message: 'Not found' } } };
      return { status: 200, body: { type: 'workspace_membership', permission, workspace: { type: 'workspace', uuid: workspaceId } } };
    });
  }

  async handle(principal: BitbucketPrincipal, path: string, init: RequestInit | undefined): Promise<Response> {
    const method = (init?.method ?? 'GET').toUpperCase();
    const pathOnly = path.split('?')[0] ?? path;
    const call: BitbucketCall = { method, path, principal };
    this.calls.push(call);
    for (const responder of this.responders) {
      const answer = await responder(call);
      if (answer) return Response.json(answer.body ?? {}, { status: answer.status });
    }
    if (method === 'GET' && this.routes.has(pathOnly)) return Response.json(this.routes.get(pathOnly), { status: 200 });
    return Response.json({ type: 'error', error: { message: `Resource not found: ${pathOnly}` } }, { status: 404 });
  }
}
