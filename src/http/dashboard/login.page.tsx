/**
 * The two pages a visitor without a session can see: the login form, and the notice that
 * the admin surface is off. Neither shows anything from the database.
 */
import { Document } from './layout.js';

/** Fixed login errors, chosen by key: the page never echoes what was posted. */
export const LOGIN_ERRORS = {
  wrong: 'That is not the admin token.',
  expired: 'The login form expired. Please try again.',
  throttled: 'Too many failed attempts from your address. Please wait and try again.',
} as const;

export type LoginError = keyof typeof LOGIN_ERRORS;

export interface LoginPageProps {
  /** Double-submit token: also in the login cookie. */
  csrf: string;
  /** Where to go after login: a local path, already checked. */
  next: string;
  error?: LoginError;
}

/** The login form: one password field for ADMIN_TOKEN. */
export function LoginPage(props: LoginPageProps) {
  return (
    <Document title="Log in">
      <div class="login">
        <h1>colt-relay</h1>
        <p class="sub">Operator dashboard: callbacks, deliveries and dead letters.</p>
        <div class="card">
          {props.error ? (
            <div class="reason" role="alert">
              {LOGIN_ERRORS[props.error]}
            </div>
          ) : null}
          <form method="post" action="/login">
            <input type="hidden" name="_csrf" value={props.csrf} />
            <input type="hidden" name="next" value={props.next} />
            <label for="token">Admin token</label>
            <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
            <button type="submit" class="primary">
              Log in
            </button>
          </form>
        </div>
        <p class="muted small">The token is the relay's ADMIN_TOKEN. A session lasts 12 hours.</p>
      </div>
    </Document>
  );
}

/** Shown on every dashboard page when ADMIN_TOKEN is not set. */
export function AdminOffPage() {
  return (
    <Document title="Admin surface off">
      <div class="login" style="max-width:560px">
        <h1>colt-relay</h1>
        <div class="card">
          <h2>The admin surface is off</h2>
          <p>
            This relay has no <code>ADMIN_TOKEN</code>, so the dashboard and the admin API are disabled and show no data.
            Callbacks are still received and delivered.
          </p>
          <p>To turn it on, set a long random token and restart the relay:</p>
          <pre>ADMIN_TOKEN=$(openssl rand -hex 32)</pre>
          <p class="muted small">
            On Cloudflare Workers: <code>wrangler secret put ADMIN_TOKEN</code>. Then log in here with that token.
          </p>
        </div>
      </div>
    </Document>
  );
}

/** A form post refused: stale or cross-site CSRF token. */
export function RefusedPage() {
  return (
    <Document title="Refused">
      <div class="login">
        <div class="card">
          <h2>This form was refused</h2>
          <p>It is stale (you logged in again since) or was sent from another site. Go back, reload the page and try again.</p>
          <a href="/">Back to the dashboard</a>
        </div>
      </div>
    </Document>
  );
}

/** A form post over the size limit: nothing of it was read past the limit. */
export function TooLargePage() {
  return (
    <Document title="Too large">
      <div class="login">
        <div class="card">
          <h2>This form is too large</h2>
          <p>The relay refused it without reading it whole. Shorten what you pasted and try again.</p>
          <a href="/">Back to the dashboard</a>
        </div>
      </div>
    </Document>
  );
}
