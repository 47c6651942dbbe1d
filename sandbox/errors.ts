/** A problem the person running the sandbox can fix (a busy port, a bad flag): shown without a stack. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}
