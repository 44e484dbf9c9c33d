/**
 * Credentials written into URLs (`https://user:password@host/…`). An HTTP client refuses such a
 * URL and says so quoting it whole ("Request cannot be constructed from a URL that includes
 * credentials: https://user:password@…"), so every error text about a request goes through
 * here before it is logged, stored or sent: the password (or a user name standing alone, which
 * is often a token) becomes `[redacted]`, the rest of the URL stays for the reader.
 */

/** `scheme://userinfo@`: userinfo stops at the characters that end it or cannot be in it. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>\\]+)@/gi;

/** `text` with the credentials of every URL in it replaced by `[redacted]` (the user name kept beside a password). */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(URL_USERINFO, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? `${scheme}[redacted]@` : `${scheme}${userinfo.slice(0, colon)}:[redacted]@`;
  });
}
