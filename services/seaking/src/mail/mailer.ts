import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Logger } from '@im/kit';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail. Chosen in main.ts: SMTP in production, a folder or the log in development. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export class SmtpMailer implements Mailer {
  private readonly transport: nodemailer.Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(mail: Mail): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
  }
}

/** One JSON file per message in a folder: for development and tests. */
export class DirMailer implements Mailer {
  constructor(private readonly dir: string) {}

  async send(mail: Mail): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const name = `${Date.now()}-${crypto.randomBytes(4).toString('hex')}.json`;
    const tmp = path.join(this.dir, `.${name}`);
    await fs.writeFile(tmp, JSON.stringify({ ...mail, sent_at: Date.now() }));
    // Rename so a reader never sees a half-written file.
    await fs.rename(tmp, path.join(this.dir, name));
  }
}

/** Writes messages to the log: for `make run` without a mail server. Never in production. */
export class LogMailer implements Mailer {
  constructor(private readonly logger: Logger) {}

  async send(mail: Mail): Promise<void> {
    this.logger.info('mail not sent: no mailer configured (set SMTP_URL or MAILER_DIR)', { to: mail.to, subject: mail.subject, text: mail.text });
  }
}
