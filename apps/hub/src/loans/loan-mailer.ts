// Email for loan reminders (issue 13), by nodemailer over HUB_SMTP_URL. No URL, no email: the
// reminder is still recorded and shown in the console. One transport for the hub's life, closed
// at shutdown. Nothing personal is logged: a failure names the reminder's id only.
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import * as nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';

/** One message to send. */
export interface LoanMail {
  to: string;
  subject: string;
  text: string;
}

@Injectable()
export class LoanMailer implements OnApplicationShutdown {
  private readonly logger = new Logger(LoanMailer.name);
  private transport: Transporter | null = null;

  constructor(@Inject(HUB_CONFIG) private readonly config: HubConfig) {}

  /** Whether email is configured (HUB_SMTP_URL). */
  get enabled(): boolean {
    return this.config.mail.smtpUrl !== null;
  }

  /**
   * Sends one message from HUB_MAIL_FROM.
   *
   * @returns true once the SMTP server accepted it; false when email is off or sending failed
   *   (logged with `reference`, never the address or text)
   */
  async send(mail: LoanMail, reference: string): Promise<boolean> {
    if (!this.config.mail.smtpUrl) {
      return false;
    }
    this.transport ??= nodemailer.createTransport(this.config.mail.smtpUrl);
    try {
      await this.transport.sendMail({
        from: this.config.mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
      });
      return true;
    } catch (error) {
      // nodemailer's message quotes the server's reply, which names the address ("550
      // <jo.brown@…>: Recipient address rejected"): only its codes are logged.
      this.logger.warn(`Reminder ${reference} was not emailed: ${smtpFailure(error)}`);
      return false;
    }
  }

  onApplicationShutdown(): void {
    this.transport?.close();
    this.transport = null;
  }
}

/**
 * A sending failure in words that name no one: nodemailer's `code` (EENVELOPE, ECONNECTION,
 * EAUTH…) and, where the server answered, its SMTP reply code and the command it answered
 * (RFC 5321 section 4.2), as "EENVELOPE (SMTP 550 at RCPT TO)".
 */
export function smtpFailure(error: unknown): string {
  const failure = (error ?? {}) as { code?: unknown; responseCode?: unknown; command?: unknown };
  const code = typeof failure.code === 'string' ? failure.code : 'error';
  if (typeof failure.responseCode !== 'number') {
    return code;
  }
  const command = typeof failure.command === 'string' ? ` at ${failure.command}` : '';
  return `${code} (SMTP ${failure.responseCode}${command})`;
}
