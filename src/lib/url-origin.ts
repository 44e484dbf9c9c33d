/**
 * How a configured URL (a webhook's) is shown anywhere outside the rules file: its origin,
 * `scheme://host[:port]`. User info, path and query can all carry credentials (Slack-style
 * hooks put the token in the path), so none of them is ever shown.
 */

/** `scheme://host[:port]` of `url`, or null when it is not a URL. */
export function urlOrigin(url: string): string | null {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}
