/**
 * Stands in for `nodemailer` in the Workers bundle (wrangler.toml `[alias]`): SMTP cannot
 * run securely from a Worker (plain text only, port 25 blocked), and nodemailer would
 * add ≈ 60 KiB gzip. Email there goes through the HTTP mail API (MAIL_API_KEY). If an
 * email channel still reaches SMTP (SMTP_URL set, MAIL_API_KEY not), each send fails
 * permanently with a reason that says what to configure.
 */

/** nodemailer's `code` for a configuration error: email.channel.ts treats it as permanent. */
const ECONFIG = 'ECONFIG';

function refuse(): Promise<never> {
  const error = Object.assign(new Error('SMTP is not available on Cloudflare Workers: set MAIL_API_KEY to send email through the HTTP mail API'), {
    code: ECONFIG,
  });
  return Promise.reject(error);
}

/** `nodemailer.createTransport`: a transport whose every send is refused. */
export function createTransport(): { sendMail: () => Promise<never>; close: () => void } {
  return { sendMail: refuse, close: () => undefined };
}

export default { createTransport };
