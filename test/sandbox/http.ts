import { request } from 'node:http';

// The global fetch is Forge's egress-guarded one while a platform runs, and it refuses loopback
// hosts the manifest does not list; the tests talk to the sandbox with node:http instead.
export function httpRequest(
  url: string,
  init: { method?: string; body?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: init.method ?? 'GET', headers: init.body === undefined ? {} : { 'content-type': 'application/json' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}

export async function httpJson(
  url: string,
  init: { method?: string; body?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await httpRequest(url, init);
  return { status: response.status, json: JSON.parse(response.body) as Record<string, unknown> };
}
