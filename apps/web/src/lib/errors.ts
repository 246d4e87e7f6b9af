/** A refusal or failure as a sentence for a toast. */
export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string') {
    const code = (err as { code?: string }).code;
    if (code === 'unavailable' && /not connected/.test(err.message)) return 'Not connected right now: try again in a moment.';
    return err.message.charAt(0).toUpperCase() + err.message.slice(1);
  }
  return 'Something went wrong';
}
