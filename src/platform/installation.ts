import { getAppContext } from '@forge/api';

// Forge serves every installation of the app from the same deployed functions, and a warm instance
// keeps module state between invocations whichever workspace they serve: the Node runtime isolates
// at the VM level, not per invocation or installation (Forge docs, "Upgrading from the legacy
// runtime"). So whatever the app keeps in memory is kept here, under the installation that the
// current invocation serves, and nowhere else.

/** A warm instance may serve many workspaces over its life; keep the most recently served few. */
const MAX_INSTALLATIONS_PER_INSTANCE = 32;

class MissingInstallationError extends Error {
  constructor() {
    super('The invocation context names no installation; per-installation state cannot be used');
    this.name = 'MissingInstallationError';
  }
}

/** The installation the current invocation serves, from the runtime's own context (never from a payload). */
function currentInstallation(): string {
  const installationAri = String(getAppContext().installationAri);
  // @forge/api builds the ARI from the runtime's installationId, even when that is missing.
  if (installationAri.endsWith('/undefined') || installationAri.endsWith('/')) throw new MissingInstallationError();
  return installationAri;
}

/**
 * State of one kind for each installation, created on first use, the least recently served
 * installation's dropped beyond MAX_INSTALLATIONS_PER_INSTANCE.
 */
export function perInstallation<T>(create: () => T): () => T {
  const states = new Map<string, T>();
  return () => {
    const installation = currentInstallation();
    let state = states.get(installation);
    if (state === undefined) {
      state = create();
      if (states.size >= MAX_INSTALLATIONS_PER_INSTANCE) {
        const leastRecent = states.keys().next().value;
        if (leastRecent !== undefined) states.delete(leastRecent);
      }
    } else {
      states.delete(installation);
    }
    states.set(installation, state);
    return state;
  };
}
