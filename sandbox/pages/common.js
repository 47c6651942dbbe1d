// What the sandbox pages' scripts share. Each page loads its script as an ES module (the CSP allows
// no inline script), so these are imported rather than left on the page's globals.

/** The page's elements with these ids, in the order asked. */
export const byIds = (...ids) => ids.map((id) => document.getElementById(id));

export const element = (tag, content, className) => {
  const created = document.createElement(tag);
  if (content !== undefined) created.textContent = content;
  if (className) created.className = className;
  return created;
};

/** What GET /sandbox/state says, or undefined when the sandbox answers with an error. */
export async function fetchState() {
  const response = await fetch('/sandbox/state');
  return response.ok ? response.json() : undefined;
}

export function postJson(url, body) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
