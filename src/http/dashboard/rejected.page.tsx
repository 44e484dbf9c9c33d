/** /rejected: callbacks the receiver refused (auth, size, malformed), per address and reason, for audit. */
import type { Page, RefusalRow } from '../../store/admin.repo.js';
import { Code, When } from './components.js';
import { clip } from './format.js';
import { Layout, Pager, type View } from './layout.js';

/** Refused callbacks, most recently seen first, optionally of one reason. */
export function RejectedPage(props: { view: View; page: Page<RefusalRow>; reason?: string }) {
  const { view, page } = props;
  return (
    <Layout title="Rejected callbacks" view={view} active="rejected">
      <h1>Rejected callbacks</h1>
      <p class="sub">
        Requests the receiver refused, counted per address and reason, most recently seen first
        {props.reason ? ` · reason ${props.reason}` : ''}. Each row shows its latest request; bodies are truncated; credentials
        are never stored.
      </p>
      <section class="card">
        {page.items.length === 0 ? (
          <p class="empty">Nothing was refused.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>last seen</th>
                  <th>count</th>
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
                      <When at={r.lastSeenAt} now={view.now} />
                      <div class="small muted">
                        since <When at={r.firstSeenAt} now={view.now} />
                      </div>
                    </td>
                    <td class="mono">{r.count}</td>
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
