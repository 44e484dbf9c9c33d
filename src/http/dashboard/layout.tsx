/**
 * The page shell: head, inline stylesheet, navigation and logout form. Every page renders
 * inside it; text goes through hono/jsx, which escapes it. `raw` is used only for the
 * doctype and the constant stylesheet, never for data.
 */
import type { Child, PropsWithChildren } from 'hono/jsx';
import { raw } from 'hono/html';
import { DASHBOARD_CSS } from './styles.js';

/** What every signed-in page needs besides its own data. */
export interface View {
  /** The session's CSRF token, for every POST form. */
  csrf: string;
  /** Clock time of the request, for "5 min ago". */
  now: number;
  /** Dead letters right now: shown in the navigation. */
  deadCount: number;
  /** A fixed message chosen by a `done` query key, never text from the request. */
  flash?: string;
}

export type NavKey = 'overview' | 'orders' | 'open' | 'deliveries' | 'dead' | 'rejected' | 'silences' | 'rules';

const NAV: { key: NavKey; href: string; label: string }[] = [
  { key: 'overview', href: '/', label: 'Overview' },
  { key: 'orders', href: '/orders', label: 'Orders' },
  { key: 'open', href: '/orders/open', label: 'Open orders' },
  { key: 'deliveries', href: '/deliveries', label: 'Deliveries' },
  { key: 'dead', href: '/deliveries?status=dead', label: 'Dead letters' },
  { key: 'rejected', href: '/rejected', label: 'Rejected' },
  { key: 'silences', href: '/silences', label: 'Silences' },
  { key: 'rules', href: '/rules', label: 'Rules' },
];

/** Inline, so the browser asks the relay for no /favicon.ico (which would be a JSON 404). */
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='4' fill='%23183153'/%3E%3Cpath d='M4 8h8M9 5l3 3-3 3' stroke='white' stroke-width='2' fill='none'/%3E%3C/svg%3E";

/** A bare document: login and "admin surface off" pages use it directly. */
export function Document(props: PropsWithChildren<{ title: string }>) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <link rel="icon" href={FAVICON} />
          <title>{props.title} · colt-relay</title>
          <style>{raw(DASHBOARD_CSS)}</style>
        </head>
        <body>{props.children}</body>
      </html>
    </>
  );
}

export interface LayoutProps {
  title: string;
  view: View;
  active?: NavKey;
}

/** A signed-in page: navigation, logout, optional flash, then the page. */
export function Layout(props: PropsWithChildren<LayoutProps>) {
  const { view } = props;
  return (
    <Document title={props.title}>
      <header class="top">
        <div class="bar">
          <a class="brand" href="/">
            colt-relay <span>operator</span>
          </a>
          <nav class="main">
            {NAV.map((n) => (
              <a href={n.href} class={props.active === n.key ? 'on' : undefined}>
                {n.label}
                {n.key === 'dead' && view.deadCount > 0 ? <span class="count">{view.deadCount}</span> : null}
              </a>
            ))}
          </nav>
          <form method="post" action="/logout" class="inline">
            <input type="hidden" name="_csrf" value={view.csrf} />
            <button type="submit">Log out</button>
          </form>
        </div>
      </header>
      <main>
        {view.flash ? <div class="flash" role="status">{view.flash}</div> : null}
        {props.children}
      </main>
    </Document>
  );
}

/**
 * A POST form of one button, carrying the CSRF token (retry, replay, enable). `back` is the
 * page to return to: privacy settings and proxies may strip the Referer, so the form says where it was.
 */
export function PostButton(props: { action: string; csrf: string; label: string; kind?: 'primary' | 'danger'; title?: string; back?: string }) {
  return (
    <form method="post" action={props.action} class="inline">
      <input type="hidden" name="_csrf" value={props.csrf} />
      {props.back ? <input type="hidden" name="back" value={props.back} /> : null}
      <button type="submit" class={props.kind} title={props.title}>
        {props.label}
      </button>
    </form>
  );
}

/**
 * An action that stops or undoes something (disable a channel, expire a silence, retry dead
 * letters in bulk), behind a disclosure instead of a red button on every row: the first
 * click opens it and says what will happen, the button inside does it. No script needed.
 * `children` are extra form fields (a reason, a time).
 */
export function ConfirmAction(
  props: PropsWithChildren<{ action: string; csrf: string; label: string; confirm: string; explain: string; back?: string; id?: string }>,
) {
  return (
    <details class="confirm" id={props.id}>
      <summary>{props.label}</summary>
      <form method="post" action={props.action} class="confirm-body">
        <input type="hidden" name="_csrf" value={props.csrf} />
        {props.back ? <input type="hidden" name="back" value={props.back} /> : null}
        <p class="small">{props.explain}</p>
        {props.children}
        <button type="submit" class="danger">
          {props.confirm}
        </button>
      </form>
    </details>
  );
}

/** "Older →" link for keyset pages (`label` for lists in another order); keeps the current filters. */
export function Pager(props: { path: string; params: Record<string, string | undefined>; nextCursor: string | null; label?: string }): Child {
  if (!props.nextCursor) return null;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(props.params)) if (v) query.set(k, v);
  query.set('cursor', props.nextCursor);
  return (
    <div class="pager">
      <a href={`${props.path}?${query.toString()}`}>{props.label ?? 'Older'} →</a>
    </div>
  );
}
