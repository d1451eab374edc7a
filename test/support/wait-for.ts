/**
 * Polls `condition` until it returns a truthy value, then resolves with that value; rejects with
 * `message` (or a generic one) once `timeoutMs` have passed. For tests: wait for a state, never sleep.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  timeoutMs = 2_000,
  message = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
