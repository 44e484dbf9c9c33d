/** /rejected: callbacks the receiver refused (auth, size, malformed), for audit. */
import type { Page, RejectedRow } from '../../store/admin.repo.js';
import { Code, When } from './components.js';
import { clip } from './format.js';
import { Layout, Pager, type View } from './layout.js';

/** Refused callbacks, newest first, optionally of one reason. */
export function RejectedPage(props: { view: View; page: Page<RejectedRow>; reason?: string }) {
  const { view, page } = props;
  return (
    <Layout title="Rejected callbacks" view={view} active="rejected">
      <h1>Rejected callbacks</h1>
      <p class="sub">
        Requests the receiver refused, newest first{props.reason ? ` · reason ${props.reason}` : ''}. Bodies are truncated; credentials are never stored.
      </p>
      <section class="card">
        {page.items.length === 0 ? (
          <p class="empty">Nothing was refused.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>received</th>
                  <th>answer</th>
                  <th>reason</th>
                  <th class="hide-sm">from</th>
                  <th>body</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((r) => (
                  <tr>
                    <td>
                      <When at={r.receivedAt} now={view.now} />
                    </td>
                    <td class="mono">{r.statusCode}</td>
                    <td>
                      <a href={`/rejected?reason=${encodeURIComponent(r.reason)}`} class="mono">
                        {r.reason}
                      </a>
                      <div class="small">{r.message}</div>
                      <div class="small muted mono">
                        {r.path}
                        {r.contentType ? ` · ${r.contentType}` : ''}
                      </div>
                    </td>
                    <td class="hide-sm mono small">{r.remoteAddr ?? '—'}</td>
                    <td>
                      {r.bodyExcerpt ? (
                        <details>
                          <summary>
                            {clip(r.bodyExcerpt, 40)} <span class="muted">({r.bodyBytes ?? '?'} bytes)</span>
                          </summary>
                          <Code text={r.bodyExcerpt} />
                        </details>
                      ) : (
                        <span class="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/rejected" params={{ reason: props.reason }} nextCursor={page.nextCursor} />
      </section>
    </Layout>
  );
}
