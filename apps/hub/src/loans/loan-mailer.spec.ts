// LoanMailer against a real SMTP server (smtp-server) that refuses the recipient, as a school's
// mail server does for an address it does not know: the reminder is not sent, and the log line
// names the reminder and the server's code, never the address (the AUP: nothing personal in the
// logs). nodemailer's own message quotes the server's reply, which names the address.
import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { HubConfig } from '../config/hub-config';
import { LoanMailer } from './loan-mailer';

describe(LoanMailer.name, () => {
  let smtp: SMTPServer;
  let mailer: LoanMailer;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        const refusal = new Error(`<${address.address}>: Recipient address rejected: User unknown`);
        (refusal as Error & { responseCode: number }).responseCode = 550;
        callback(refusal);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    mailer = new LoanMailer({
      mail: { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'hub@school.example' },
    } as HubConfig);
  });

  afterAll(async () => {
    mailer.onApplicationShutdown();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('logs a refused reminder by its reference and the server code, never the address', async () => {
    const lines: string[] = [];
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((message: unknown) => void lines.push(String(message)));
    try {
      const sent = await mailer.send(
        { to: 'jo.brown@school.example', subject: 'LOAN-001 is overdue', text: 'Jo Brown' },
        'reminder-42',
      );
      expect(sent).toBe(false);
    } finally {
      warn.mockRestore();
    }
    expect(lines).toEqual([
      'Reminder reminder-42 was not emailed: EENVELOPE (SMTP 550 at RCPT TO)',
    ]);
    expect(lines.join('\n')).not.toMatch(/jo\.brown|Jo Brown/);
  });
});
