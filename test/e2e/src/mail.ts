import fs from 'node:fs';
import path from 'node:path';

/** The newest mail to an address in a MAILER_DIR folder, waiting for it to arrive. */
export async function waitForMail(dir: string, to: string, after = 0): Promise<{ to: string; subject: string; text: string }> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const found = fs
      .readdirSync(dir)
      .filter((f) => !f.startsWith('.'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { to: string; subject: string; text: string; sent_at: number })
      .filter((m) => m.to === to && m.sent_at >= after)
      .sort((a, b) => b.sent_at - a.sent_at);
    if (found[0]) return found[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no mail to ${to}`);
}

/** The 6-digit code of a login-code mail. */
export function codeOf(mail: { text: string }): string {
  return /(\d{6})/.exec(mail.text)![1]!;
}
