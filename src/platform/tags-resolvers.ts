import { describeTestOutcome } from '../core/test-event';
import { offersVersionTags } from '../core/regions';
import { testTagOf, type WaitingTag, type WaitingTagSummary } from '../core/version-tag';
import { ResolverKeys, type ResolverPayload, type ResolverResults, type VersionTagsStatus } from '../shared/contract';
import type { Caller } from './authorization';
import { readSettings, readTagsApiKey, type SettingsView } from './settings-store';
import { discardTag, readTagsState, retryAllTags, waitingTags } from './tags';
import { sendVersionTag } from './transport';
import { listProjects, listRepositories } from './workspace-listing';

// The settings page's resolvers for version tags and the repository scope pickers. Like every
// resolver, they run after runResolver (platform/resolvers.ts) checked the caller is a workspace
// admin and validated the input with the page's own schema.

type Keys =
  | typeof ResolverKeys.sendTestTag
  | typeof ResolverKeys.listTags
  | typeof ResolverKeys.retryAllTags
  | typeof ResolverKeys.discardTag
  | typeof ResolverKeys.listProjects
  | typeof ResolverKeys.listRepositories;

export class TagNotFoundError extends Error {}

export const tagAndScopeHandlers: { [K in Keys]: (input: ResolverPayload<K>, caller: Caller) => Promise<ResolverResults[K]> } = {
  [ResolverKeys.sendTestTag]: async (input) => {
    const stored = await readSettings();
    const settings = input.settings ?? stored?.settings;
    const key = input.tagsApiKey ?? (await readTagsApiKey());
    if (!settings || !key) return { outcome: 'not-configured', message: 'Enter a tags API key (CICD integration permissions) first.' };
    if (!offersVersionTags(settings.region)) {
      return { outcome: 'not-configured', message: 'Coralogix offers no version tags in this region.' };
    }
    const tag = testTagOf(settings.versionTags, Date.now());
    const outcome = await sendVersionTag(settings.region, key, tag);
    if (outcome.kind === 'delivered') {
      return { outcome: 'delivered', message: `Coralogix created the version tag "${tag.name}".`, status: outcome.status, name: tag.name };
    }
    const described = describeTestOutcome(outcome, settings);
    // A refused key here is the tags key: say which one.
    const message =
      outcome.kind === 'rejected' && outcome.cause === 'configuration' && outcome.status !== undefined
        ? `Coralogix refused the tags API key (HTTP ${outcome.status}). Use an API key with the CICD integration preset, from the selected region.`
        : described.message;
    return { ...described, message, name: tag.name };
  },

  [ResolverKeys.listTags]: async () => {
    const tags = await waitingTags();
    return { items: tags.map(({ id, tag }) => ({ id, ...summaryOf(tag) })) };
  },

  [ResolverKeys.retryAllTags]: async () => ({ waiting: await retryAllTags(Date.now()) }),

  [ResolverKeys.discardTag]: async (input) => {
    if (!(await discardTag(input.id))) throw new TagNotFoundError('That version tag is no longer waiting: it was created or discarded.');
    return { discarded: true };
  },

  [ResolverKeys.listProjects]: (input, caller) => listProjects(caller, input.query, input.page ?? 1),
  [ResolverKeys.listRepositories]: (input, caller) => listRepositories(caller, input.query, input.page ?? 1),
};

/** A waiting tag as the page lists it: everything but the body it will send. */
function summaryOf({ body: _body, ...summary }: WaitingTag): WaitingTagSummary {
  return summary;
}

export async function versionTagsStatus(view: SettingsView | undefined): Promise<VersionTagsStatus> {
  const [state, tags] = await Promise.all([readTagsState(), waitingTags()]);
  return {
    enabled: view?.settings.versionTags.enabled ?? false,
    waiting: tags.length,
    reason: tags.length > 0 ? state.reason : null,
    nextAttemptAt: tags.length > 0 ? state.nextAttemptAt : null,
    lastCreated: state.lastCreated,
    dropped: state.dropped,
  };
}
