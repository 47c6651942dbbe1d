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
    head.append(clock(item.receivedAt), element('span', `refused · HTTP ${item.status}`, 'lozenge refused'), element('span', item.error));
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
  if (entry.methodName) head.append(element('span', entry.methodName));
  const meta = element('div', undefined, 'entry-meta');
  meta.append(labelled('application', entry.applicationName), labelled('subsystem', entry.subsystemName));
  if (entry.category) meta.append(labelled('category', entry.category));
  if (entry.timestamp) meta.append(labelled('event time', new Date(entry.timestamp).toLocaleString()));
  const details = element('details');
  details.append(element('summary', 'text'), element('pre', pretty(entry.text), 'text'));
  row.append(head, meta, details);
  return row;
}

function add(item) {
  if (item.kind === 'refused') refused += 1;
  else entries += 1;
  entryCount.textContent = String(entries);
  refusedCount.textContent = String(refused);
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
