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

/** A project as GET /2.0/workspaces/{workspace}/projects lists it (fields beyond these are passed through). */
export interface ListedProject {
  readonly type: 'project';
  readonly uuid: string;
  readonly key: string;
  readonly name: string;
  readonly [field: string]: unknown;
}

/** A repository as GET /2.0/repositories/{workspace} lists it. */
export interface ListedRepository {
  readonly type: 'repository';
  readonly uuid: string;
  readonly full_name: string;
  readonly name: string;
  readonly slug: string;
  readonly project: { readonly uuid: string; readonly key: string; readonly name: string; readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

export interface WorkspaceListing {
  readonly projects: readonly ListedProject[];
  readonly repositories: readonly ListedRepository[];
}

/** A pipeline as GET /2.0/repositories/{workspace}/{repo_slug}/pipelines/{pipeline_uuid} answers it. */
export interface PipelineRecord {
  readonly type: 'pipeline';
  readonly uuid: string;
  readonly build_number: number;
  readonly repository: { readonly uuid: string; readonly full_name: string; readonly [field: string]: unknown };
  readonly target: {
    readonly type: string;
    readonly ref_name?: string;
    readonly commit?: { readonly hash: string; readonly [field: string]: unknown };
    readonly [field: string]: unknown;
  };
  readonly [field: string]: unknown;
}

const API_ORIGIN = 'https://api.bitbucket.org';
// "The default value is 10 with 100 being the maximum allowed value" (Bitbucket Cloud REST, paging).
const DEFAULT_PAGELEN = 10;
const MAX_PAGELEN = 100;
const REPOSITORY_ROLES = new Set(['member', 'contributor', 'admin', 'owner']);

const errorBody = (message: string) => ({ type: 'error', error: { message } });

/** Path segments decoded: a client may send {uuid} as is or percent-encoded. */
function segmentsOf(path: string): string[] {
  return (path.split('?')[0] ?? path)
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

/**
 * The one filter this emulation understands, `name ~ "text"` (Bitbucket's filter language: `~` is a
 * case-insensitive contains). Anything else is answered with 400 rather than guessed at, so an app
 * relying on more of the language finds out here.
 */
function parseNameFilter(q: string): { contains: string } | { error: string } {
  const match = /^\s*name\s*~\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(q);
  if (!match) return { error: `Invalid query: this emulation supports only name ~ "text", got ${q}` };
  return { contains: (match[1] ?? '').replace(/\\(.)/g, '$1').toLowerCase() };
}

/** One page of a paged list, shaped as Bitbucket Cloud answers it: {size, page, pagelen, next?, previous?, values}. */
function pageOf<T extends { readonly name: string }>(items: readonly T[], path: string): Answer {
  const query = new URLSearchParams(path.split('?')[1] ?? '');
  const pagelen = query.has('pagelen') ? Number(query.get('pagelen')) : DEFAULT_PAGELEN;
  if (!Number.isInteger(pagelen) || pagelen < 1 || pagelen > MAX_PAGELEN) return { status: 400, body: errorBody('Invalid pagelen') };
  const page = query.has('page') ? Number(query.get('page')) : 1;
  if (!Number.isInteger(page) || page < 1) return { status: 400, body: errorBody('Invalid page') };
  let matching = items;
  const q = query.get('q');
  if (q !== null && q.trim() !== '') {
    const filter = parseNameFilter(q);
    if ('error' in filter) return { status: 400, body: errorBody(filter.error) };
    matching = items.filter((item) => item.name.toLowerCase().includes(filter.contains));
  }
  const start = (page - 1) * pagelen;
  // A page past the end is an error ("Invalid page"), though page 1 of an empty list is not.
  if (page > 1 && start >= matching.length) return { status: 404, body: errorBody('Invalid page') };
  const linkTo = (to: number) => {
    const next = new URLSearchParams(query);
    next.set('page', String(to));
    return `${API_ORIGIN}${path.split('?')[0] ?? path}?${next.toString()}`;
  };
  return {
    status: 200,
    body: {
      size: matching.length,
      page,
      pagelen,
      ...(start + pagelen < matching.length ? { next: linkTo(page + 1) } : {}),
      ...(page > 1 ? { previous: linkTo(page - 1) } : {}),
      values: matching.slice(start, start + pagelen),
    },
  };
}

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

  /**
   * Answers, as the signed-in user, the lists the settings page picks the scope from:
   * GET /2.0/workspaces/{workspace}/projects and GET /2.0/repositories/{workspace} (with `role`),
   * paged (`page`, `pagelen` up to 100) and filtered by `q=name ~ "text"`. `workspace` is every name
   * the workspace answers to (its {uuid}, its slug). The app itself (asApp) and a call with no
   * user are refused: what the page offers must be what the admin can see.
   */
  serveWorkspaceListing(workspace: string | readonly string[], listing: WorkspaceListing): void {
    const names = new Set(typeof workspace === 'string' ? [workspace] : workspace);
    this.respond((call) => {
      if (call.method !== 'GET') return undefined;
      const segments = segmentsOf(call.path);
      const isProjects = segments.length === 4 && segments[0] === '2.0' && segments[1] === 'workspaces' && segments[3] === 'projects';
      const isRepositories = segments.length === 3 && segments[0] === '2.0' && segments[1] === 'repositories';
      const named = isProjects ? segments[2] : isRepositories ? segments[2] : undefined;
      if (named === undefined || !names.has(named)) return undefined;
      if (call.principal.kind !== 'user')
        return { status: 403, body: errorBody('This emulation lists projects and repositories only to a user (asUser)') };
      if (call.principal.accountId === undefined) return { status: 401, body: errorBody('Authentication required') };
      if (isProjects) return pageOf(listing.projects, call.path);
      const role = new URLSearchParams(call.path.split('?')[1] ?? '').get('role');
      if (role !== null && !REPOSITORY_ROLES.has(role)) return { status: 400, body: errorBody(`Invalid role: ${role}`) };
      return pageOf(listing.repositories, call.path);
    });
  }

  /**
   * Answers GET /2.0/repositories/{workspace}/{repo_slug}/pipelines/{pipeline_uuid} for these
   * pipelines, to any principal: the repository may be named by {uuid} or slug, the workspace by any
   * of `workspace`. An unknown pipeline of a known repository is a 404, as Bitbucket answers.
   */
  servePipelines(workspace: string | readonly string[], pipelines: readonly PipelineRecord[]): void {
    const names = new Set(typeof workspace === 'string' ? [workspace] : workspace);
    this.respond((call) => {
      const segments = segmentsOf(call.path);
      if (call.method !== 'GET' || segments.length !== 6 || segments[0] !== '2.0' || segments[1] !== 'repositories') return undefined;
      if (segments[4] !== 'pipelines' || !names.has(segments[2] ?? '')) return undefined;
      const repository = segments[3] ?? '';
      const ofRepository = pipelines.filter(
        (pipeline) => pipeline.repository.uuid === repository || pipeline.repository.full_name.split('/')[1] === repository,
      );
      if (ofRepository.length === 0) return undefined;
      const found = ofRepository.find((pipeline) => pipeline.uuid === segments[5]);
      return found ? { status: 200, body: found } : { status: 404, body: errorBody(`Pipeline not found: ${segments[5] ?? ''}`) };
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
