import { requestBitbucket, route } from '@forge/api';
import { objectOrEmpty, stringOf } from '../core/json';
import type { PipelineInfo } from '../core/version-tag';

// Deployment events name their pipeline by UUID only (forge-facts.md); a tag name that uses the
// commit or the build number needs the pipeline itself: GET /2.0/repositories/{workspace}/{repo}/
// pipelines/{uuid} (scope read:pipeline:bitbucket) answers `build_number` and `target.commit.hash`.
// Asked once per tagged deployment (a few a day), so nothing is cached.

/** Undefined when Bitbucket could not say: the tag is still created, with "unknown" in the name. */
export async function lookupPipeline(
  workspaceUuid: string,
  repositoryUuid: string,
  pipelineUuid: string,
): Promise<PipelineInfo | undefined> {
  try {
    const response = await requestBitbucket(route`/2.0/repositories/${workspaceUuid}/${repositoryUuid}/pipelines/${pipelineUuid}`, {
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) return undefined;
    const pipeline = objectOrEmpty((await response.json()) as unknown);
    const target = objectOrEmpty(pipeline.target);
    const hash = stringOf(objectOrEmpty(target.commit).hash);
    const buildNumber = typeof pipeline.build_number === 'number' ? pipeline.build_number : undefined;
    return { ...(hash ? { commitHash: hash } : {}), ...(buildNumber === undefined ? {} : { buildNumber }) };
  } catch {
    return undefined;
  }
}
