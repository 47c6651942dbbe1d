// The event console: pick an example event, edit it, fire it through the app's trigger.
import { byIds, element, fetchState, postJson } from './common.js';

const [select, eventType, payload, jsonError, fire, reset, result, history, historyEmpty, banner] = byIds(
  'event',
  'event-type',
  'payload',
  'json-error',
  'fire',
  'reset',
  'result',
  'history',
  'history-empty',
  'config-banner',
);
let fixtures = [];
let destination = { kind: 'receiver' };

const link = (href, content) => {
  const anchor = element('a', content);
  anchor.href = href;
  return anchor;
};

const OUTCOME_TITLES = {
  delivered: 'Delivered',
  queued: 'Kept for a retry',
  held: 'Refused: kept for you',
  'not-configured': 'Not configured',
  skipped: 'Skipped',
  failed: 'The trigger failed',
};

function explain(outcome) {
  switch (outcome.outcome) {
    case 'delivered':
      return outcome.destination === 'receiver'
        ? ['Coralogix (the sandbox receiver) accepted the entry.', link('/receiver', 'See it on the receiver page →')]
        : [`${destination.url ?? 'The endpoint'} accepted the entry.`];
    case 'queued':
      return [
        `It failed for now (${outcome.reason}); the app keeps it and sends it automatically${outcome.retryInSeconds === null ? ' once the settings are fixed' : `, next attempt in about ${outcome.retryInSeconds} s`}.`,
        link('/', 'See it under Undelivered events on the settings page →'),
      ];
    case 'held':
      return [
        `Coralogix refused it as it is: ${outcome.reason}.`,
        link('/', 'Retry or discard it under Undelivered events on the settings page →'),
      ];
    case 'not-configured':
      return ['The app has no settings yet, so it skipped the event.', link('/', 'Open the settings page and save a key →')];
    case 'skipped':
      return [
        outcome.reason === 'forwarding-disabled'
          ? 'Forwarding is switched off in the settings.'
          : 'The settings do not forward this event.',
        link('/', 'Change it on the settings page →'),
      ];
    case 'failed':
      return [`The invocation threw (Forge would retry it): ${outcome.error}`];
    default:
      return ['Unknown outcome'];
  }
}

const DEPLOYMENT_OUTCOMES = { FAILED: 'failed', SUCCESSFUL: 'successful', STOPPED: 'stopped' };

/** What tells two examples of one event apart (a failed deployment from a successful one, a forced push from a plain one). */
function variantOf(payload) {
  const outcome = DEPLOYMENT_OUTCOMES[payload.deployment?.status];
  if (outcome) return outcome;
  if (payload.push?.forced === true) return 'forced';
  return undefined;
}

function showResult(outcome, label) {
  result.className = `result ${outcome.outcome}`;
  result.dataset.outcome = outcome.outcome;
  const title = element('strong', `${OUTCOME_TITLES[outcome.outcome] ?? outcome.outcome}: ${label}`);
  const parts = explain(outcome).map((part) => {
    const paragraph = element('p');
    paragraph.append(part);
    return paragraph;
  });
  result.replaceChildren(title, ...parts);
  if (outcome.eventId) result.append(element('p', `event.id ${outcome.eventId}`, 'muted'));

  const item = element('li');
  item.append(
    element('time', new Date().toLocaleTimeString()),
    element('span', (OUTCOME_TITLES[outcome.outcome] ?? outcome.outcome).toLowerCase(), `lozenge ${outcome.outcome}`),
    element('span', label),
  );
  history.prepend(item);
  historyEmpty.hidden = true;
}

function showError(message) {
  result.className = 'result error';
  result.dataset.outcome = 'error';
  result.replaceChildren(element('strong', 'Not fired'), element('p', message));
}

function current() {
  return fixtures.find((fixture) => fixture.name === select.value);
}

function load() {
  const fixture = current();
  if (!fixture) return;
  eventType.textContent = `${fixture.eventType} · example ${fixture.name}`;
  payload.value = JSON.stringify(fixture.payload, null, 2);
  checkJson();
}

function checkJson() {
  try {
    const parsed = JSON.parse(payload.value);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('The payload must be a JSON object');
    jsonError.hidden = true;
    payload.classList.remove('invalid');
    return parsed;
  } catch (error) {
    jsonError.textContent = error.message;
    jsonError.hidden = false;
    payload.classList.add('invalid');
    return undefined;
  }
}

async function showBanner() {
  const state = await fetchState();
  if (!state) return;
  destination = state.destination;
  banner.replaceChildren();
  banner.className = 'banner';
  if (!state.configured) {
    banner.classList.add('warning');
    banner.append(element('strong', 'The app is not configured yet. '));
    if (state.destination.kind === 'receiver') {
      banner.append(
        'Paste the sandbox key ',
        element('code', state.sandboxKey),
        ' on the ',
        link('/', 'settings page'),
        ', or use the sandbox defaults.',
      );
      const actions = element('div', undefined, 'actions');
      const configure = element('button', 'Use the sandbox defaults', 'primary');
      configure.type = 'button';
      configure.dataset.testid = 'configure-defaults';
      configure.addEventListener('click', async () => {
        configure.disabled = true;
        const answer = await postJson('/sandbox/configure', {});
        if (!answer.ok) showError((await answer.json()).message);
        await showBanner();
      });
      actions.append(configure);
      banner.append(actions);
    } else {
      banner.append('Save the key of ', element('code', state.destination.url), ' on the ', link('/', 'settings page'), '.');
    }
  } else {
    const s = state.settings;
    banner.append(
      `Sending to ${state.destination.kind === 'receiver' ? 'the sandbox receiver' : state.destination.url} as application “${s.applicationName}”, subsystem “${s.subsystemName}”, region ${s.region}${s.forwardingEnabled ? '' : ' (forwarding is switched off)'}.`,
    );
    if (state.keyAccepted === false) {
      banner.classList.add('warning');
      banner.append(' The saved key is not the sandbox key, so the receiver will refuse entries.');
    }
    if (state.savedKeyIsSandboxKey) {
      banner.classList.add('warning');
      banner.append(
        ` The saved key is the sandbox key, which ${state.destination.url} will refuse: save its own key on the settings page.`,
      );
    }
    if (state.queue.pending > 0) banner.append(` ${state.queue.pending} on the retry queue.`);
  }
  banner.hidden = false;
}

select.addEventListener('change', load);
reset.addEventListener('click', load);
payload.addEventListener('input', checkJson);

fire.addEventListener('click', async () => {
  const parsed = checkJson();
  if (!parsed) {
    showError('Fix the JSON first.');
    return;
  }
  fire.disabled = true;
  fire.textContent = 'Firing…';
  const label = typeof parsed.eventType === 'string' ? parsed.eventType : '(no eventType)';
  try {
    const response = await postJson('/sandbox/fire', { payload: parsed });
    const answer = await response.json();
    if (!response.ok) showError(answer.message);
    else showResult(answer.result, label);
  } catch (error) {
    showError(`The sandbox did not answer: ${error.message}`);
  } finally {
    fire.disabled = false;
    fire.textContent = 'Fire';
    void showBanner();
  }
});

(async () => {
  const response = await fetch('/sandbox/fixtures');
  fixtures = (await response.json()).fixtures;
  const families = new Map();
  for (const fixture of fixtures) {
    if (!families.has(fixture.family)) families.set(fixture.family, []);
    families.get(fixture.family).push(fixture);
  }
  for (const [family, members] of families) {
    const group = element('optgroup');
    group.label = family;
    for (const fixture of members) {
      const variant = variantOf(fixture.payload);
      const option = element('option', `${fixture.action}${variant ? ` (${variant})` : ''} — ${fixture.name}`);
      option.value = fixture.name;
      group.append(option);
    }
    select.append(group);
  }
  const requested = new URLSearchParams(location.search).get('event') ?? 'push.repository';
  if (fixtures.some((fixture) => fixture.name === requested)) select.value = requested;
  load();
  await showBanner();
})();
