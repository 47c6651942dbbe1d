// The receiver page: entries as the sandbox's Coralogix receiver took them, live over Server-Sent Events.
import { byIds, element, fetchState } from './common.js';

const [list, empty, live, entryCount, refusedCount, about, elsewhere] = byIds(
  'entries',
  'empty',
  'live',
  'entry-count',
  'refused-count',
  'about',
  'elsewhere',
);
const SEVERITIES = { 1: 'Debug', 2: 'Verbose', 3: 'Info', 4: 'Warning', 5: 'Error', 6: 'Critical' };
const MAX_SHOWN = 500;
let entries = 0;
let refused = 0;
let tags = 0;
const [tagList, tagsSection, tagCount] = byIds('tags', 'tags-section', 'tag-count');
let loaded = false;

const labelled = (label, value) => {
  const span = element('span', `${label} `);
  span.append(element('b', value));
  return span;
};
const clock = (ms) => {
  const date = new Date(ms);
  return Object.assign(element('time', date.toLocaleTimeString()), { dateTime: date.toISOString(), title: date.toString() });
};
const parsed = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
};
const QUALIFIERS = { FAILED: 'failed', SUCCESSFUL: 'succeeded', STOPPED: 'stopped' };

/**
 * The repository and the action in words, as the settings page lists undelivered events (there the
 * app's core/event-description.ts says it at length; here the entry's own methodName does the
 * talking, with the one detail that tells two of a kind apart).
 */
function aboutEntry(entry) {
  const record = parsed(entry.text);
  const bitbucket = record.bitbucket ?? {};
  const repository = bitbucket.repository?.full_name ?? bitbucket.repository?.name ?? bitbucket.repository?.slug ?? null;
  const action = entry.methodName ?? record.event?.action ?? entry.className ?? 'Entry';
  const details = [];
  if (bitbucket.pullrequest?.id !== undefined) details.push(`PR #${bitbucket.pullrequest.id}`);
  const ref = bitbucket.push?.changes?.[0]?.new ?? bitbucket.push?.changes?.[0]?.old;
  if (ref?.name) details.push(`${ref.type === 'tag' ? 'tag' : 'branch'} ${ref.name}`);
  if (bitbucket.environment?.name) details.push(`to ${bitbucket.environment.name}`);
  const outcome = QUALIFIERS[bitbucket.deployment?.status] ?? QUALIFIERS[bitbucket.commit_status?.state];
  if (outcome) details.push(outcome);
  return { repository, action: details.length === 0 ? action : `${action}: ${details.join(', ')}` };
}

const pretty = (text) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

function render(item) {
  const row = element('li');
  row.dataset.seq = String(item.seq);
  if (item.kind === 'refused') {
    row.className = 'refused';
    row.dataset.testid = 'refused';
    const head = element('div', undefined, 'entry-head');
    head.append(clock(item.receivedAt), element('span', `refused · HTTP ${item.status}`, 'lozenge refused'));
    if (item.endpoint === 'tags') head.append(element('span', 'version tag', 'class-name'));
    head.append(element('span', item.error));
    row.append(head);
    return row;
  }
  const entry = item.entry;
  row.dataset.testid = 'entry';
  row.dataset.className = entry.className ?? '';
  const head = element('div', undefined, 'entry-head');
  const severity = entry.severity ?? 3;
  head.append(
    clock(item.receivedAt),
    element('span', SEVERITIES[severity] ?? String(severity), `lozenge sev-${severity}`),
    element('span', entry.className ?? '(no className)', 'class-name'),
  );
  const about = aboutEntry(entry);
  const what = element('span', about.action, 'action');
  what.dataset.testid = 'entry-action';
  head.append(what);
  if (about.repository) {
    const repository = element('span', about.repository, 'repository');
    repository.dataset.testid = 'entry-repository';
    head.append(repository);
  }
  const meta = element('div', undefined, 'entry-meta');
  meta.append(labelled('application', entry.applicationName), labelled('subsystem', entry.subsystemName));
  if (entry.category) meta.append(labelled('category', entry.category));
  if (entry.timestamp) meta.append(labelled('event time', new Date(entry.timestamp).toLocaleString()));
  const details = element('details');
  details.append(element('summary', 'text'), element('pre', pretty(entry.text), 'text'));
  row.append(head, meta, details);
  return row;
}

// A version tag: its name, the applications and subsystems it marks, its time and the region addressed.
function renderTag(item) {
  const { body, region, host } = item.tag;
  const row = element('li');
  row.dataset.seq = String(item.seq);
  row.dataset.testid = 'tag';
  const head = element('div', undefined, 'entry-head');
  head.append(clock(item.receivedAt), element('span', 'version tag', 'lozenge sev-3'), element('span', body.name, 'class-name'));
  const meta = element('div', undefined, 'entry-meta');
  meta.append(labelled('application', body.application.join(', ')), labelled('subsystem', body.subsystem.join(', ')));
  if (body.timestamp !== undefined) meta.append(labelled('tag time', new Date(body.timestamp).toLocaleString()));
  meta.append(labelled('region', region ?? host ?? 'unknown'));
  row.append(head, meta);
  return row;
}

function addTag(item) {
  tags += 1;
  showCount(tagCount, tags, 'version tag', 'version tags');
  const row = renderTag(item);
  if (loaded) row.classList.add('fresh');
  tagList.prepend(row);
  while (tagList.children.length > MAX_SHOWN) tagList.lastElementChild.remove();
  tagsSection.hidden = false;
  empty.hidden = true;
}

/** "1 entry", "2 entries": the number, and the word after it that fits it. */
function showCount(number, count, one, many) {
  number.textContent = String(count);
  number.nextElementSibling.textContent = count === 1 ? one : many;
}

function add(item) {
  if (item.kind === 'tag') return addTag(item);
  if (item.kind === 'refused') refused += 1;
  else entries += 1;
  showCount(entryCount, entries, 'entry', 'entries');
  showCount(refusedCount, refused, 'refused request', 'refused requests');
  const row = render(item);
  if (loaded) row.classList.add('fresh');
  list.prepend(row);
  while (list.children.length > MAX_SHOWN) list.lastElementChild.remove();
  empty.hidden = true;
}

async function showDestination() {
  const state = await fetchState();
  if (!state) return;
  if (state.destination.kind === 'external') {
    elsewhere.textContent = `Entries go to ${state.destination.url}, not to this receiver (the sandbox was started with --coralogix-url): look for them there.`;
    elsewhere.hidden = false;
  } else {
    about.append(
      ' It accepts only the sandbox key ',
      element('code', state.sandboxKey),
      '; other keys are refused with 403, as Coralogix refuses a wrong key.',
    );
  }
}

const source = new EventSource('/sandbox/events');
source.addEventListener('open', () => {
  live.textContent = 'live';
  live.classList.add('on');
  setTimeout(() => (loaded = true), 300);
});
source.addEventListener('error', () => {
  live.textContent = 'reconnecting…';
  live.classList.remove('on');
});
source.addEventListener('item', (message) => add(JSON.parse(message.data)));

void showDestination();
