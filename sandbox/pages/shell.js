// The frame around the real settings page: who is signed in, and which key the sandbox receiver takes.
(() => {
  const account = document.getElementById('account');
  const frame = document.getElementById('settings');
  const strip = document.getElementById('key-strip');

  const text = (tag, content, className) => {
    const element = document.createElement(tag);
    element.textContent = content;
    if (className) element.className = className;
    return element;
  };

  async function showState() {
    const response = await fetch('/sandbox/state');
    if (!response.ok) return;
    const state = await response.json();
    account.value = state.account;
    strip.replaceChildren();
    if (state.destination.kind === 'external') {
      strip.append(text('span', `Entries go to ${state.destination.url}: save the key that endpoint accepts.`));
      if (state.savedKeyIsSandboxKey) strip.append(text('span', 'The saved key is still the sandbox key, which it will refuse.'));
    } else {
      const key = text('code', state.sandboxKey);
      key.dataset.testid = 'sandbox-key';
      const copy = text('button', 'Copy');
      copy.type = 'button';
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(state.sandboxKey);
          copy.textContent = 'Copied';
        } catch {
          copy.textContent = 'Select it and copy';
        }
      });
      strip.append(text('span', 'The sandbox receiver accepts this Send-Your-Data API key:'), key, copy);
      if (state.configured && state.keyAccepted === false) {
        strip.append(text('span', 'The saved key is a different one, so the receiver refuses entries (wrong key).'));
      }
    }
    strip.hidden = false;
  }

  account.addEventListener('change', async () => {
    account.disabled = true;
    try {
      await fetch('/sandbox/account', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: account.value }) });
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
})();
