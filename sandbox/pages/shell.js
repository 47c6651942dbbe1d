// The frame around the real settings page: who is signed in, and which key the sandbox receiver takes.
import { byIds, element, fetchState, postJson } from './common.js';

const [account, frame, strip] = byIds('account', 'settings', 'key-strip');

async function showState() {
  const state = await fetchState();
  if (!state) return;
  account.value = state.account;
  strip.replaceChildren();
  if (state.destination.kind === 'external') {
    strip.append(element('span', `Entries go to ${state.destination.url}: save the key that endpoint accepts.`));
    if (state.savedKeyIsSandboxKey) strip.append(element('span', 'The saved key is still the sandbox key, which it will refuse.'));
  } else {
    const key = element('code', state.sandboxKey);
    key.dataset.testid = 'sandbox-key';
    const copy = element('button', 'Copy');
    copy.type = 'button';
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(state.sandboxKey);
        copy.textContent = 'Copied';
      } catch {
        copy.textContent = 'Select it and copy';
      }
    });
    strip.append(element('span', 'The sandbox receiver accepts this Send-Your-Data API key:'), key, copy);
    if (state.sandboxTagsKey) {
      const tagsKey = element('code', state.sandboxTagsKey);
      tagsKey.dataset.testid = 'sandbox-tags-key';
      strip.append(element('span', 'and this version tags API key:'), tagsKey);
    }
    if (state.configured && state.keyAccepted === false) {
      strip.append(element('span', 'The saved key is a different one, so the receiver refuses entries (wrong key).'));
    }
  }
  strip.hidden = false;
}

account.addEventListener('change', async () => {
  account.disabled = true;
  try {
    await postJson('/sandbox/account', { account: account.value });
    frame.src = '/index.html';
  } finally {
    account.disabled = false;
  }
});

void showState();
// Saving on the settings page changes what the strip says; the page does not tell the frame.
setInterval(() => {
  if (document.visibilityState === 'visible') void showState().catch(() => undefined);
}, 4000);
