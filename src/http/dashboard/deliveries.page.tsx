/** /deliveries: every notification, filterable by status (dead letters) and channel, with Retry. */
import type { DeliveryRow, Page } from '../../store/admin.repo.js';
import { Badge, canRetry, OrderLink, SilencedBy, When } from './components.js';
import { clip, errorLine } from './format.js';
import { ConfirmAction, Layout, Pager, PostButton, type View } from './layout.js';

export interface DeliveriesFilter {
  status?: string;
  channel?: string;
}

/** The status filters offered, dead letters first: that is why people come here. */
export const DELIVERY_STATUS_FILTERS = ['dead', 'retrying', 'pending', 'grouped', 'sending', 'delivered', 'suppressed'] as const;

/** The delivery list; with `status=dead` it is the dead-letter list. */
export function DeliveriesPage(props: { view: View; page: Page<DeliveryRow>; filter: DeliveriesFilter; channels: string[] }) {
  const { view, page, filter } = props;
  const href = (status?: string) => {
    const q = new URLSearchParams();
    if (status) q.set('status', status);
    if (filter.channel) q.set('channel', filter.channel);
    const s = q.toString();
    return s ? `/deliveries?${s}` : '/deliveries';
  };
  const dead = filter.status === 'dead';
  return (
    <Layout title={dead ? 'Dead letters' : 'Deliveries'} view={view} active={dead ? 'dead' : 'deliveries'}>
      <h1>{dead ? 'Dead letters' : 'Deliveries'}</h1>
      <p class="sub">
        {dead
          ? 'Notifications that failed for good. Fix the receiver, then retry: the delivery keeps its id (webhook-id).'
          : 'One per callback and channel, newest first.'}
      </p>
      <div class="toolbar filters">
        <a href={href()} class={filter.status ? undefined : 'on'}>
          all
        </a>
        {DELIVERY_STATUS_FILTERS.map((s) => (
          <a href={href(s)} class={filter.status === s ? 'on' : undefined}>
            {s}
          </a>
        ))}
      </div>
      <form method="get" action="/deliveries" class="toolbar">
        {filter.status ? <input type="hidden" name="status" value={filter.status} /> : null}
        <label for="channel" class="muted small">
          channel
        </label>
        <select id="channel" name="channel">
          <option value="">all channels</option>
          {props.channels.map((name) => (
            <option value={name} selected={filter.channel === name}>
              {name}
            </option>
          ))}
        </select>
        <button type="submit">Filter</button>
      </form>
      {dead && page.items.length > 0 ? <RetryDeadForm view={view} channel={filter.channel} /> : null}
      <section class="card">
        {page.items.length === 0 ? (
          <p class="empty">{dead ? 'No dead letters. Nothing needs you.' : 'No delivery matches.'}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>order</th>
                  <th>channel</th>
                  <th>status</th>
                  <th class="num hide-sm">tries</th>
                  <th>last error</th>
                  <th>updated</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((d) => (
                  <tr>
                    <td>
                      <OrderLink orderId={d.orderId} />
                    </td>
                    <td>
                      <strong>{d.channel}</strong>
                      <div class="small muted">{d.channelType}</div>
                    </td>
                    <td>
                      <Badge status={d.status} />
                    </td>
                    <td class="num hide-sm">{d.attempts}</td>
                    <td>
                      {d.silenceId ? (
                        <span class="small">
                          <SilencedBy silenceId={d.silenceId} lastError={d.lastError} />
                        </span>
                      ) : d.lastError ? (
<span class="mono small err">{clip(errorLine(d.lastCode, d.lastError), 120)}</span>
                      ) : (
                        <span class="muted">—</span>
                      )}
                    </td>
                    <td>
                      <When at={d.updatedAt} now={view.now} />
                    </td>
                    <td>
                      {canRetry(d.status) ? <PostButton action={`/deliveries/${d.id}/retry`} csrf={view.csrf} label="Retry" kind="primary" /> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/deliveries" params={{ status: filter.status, channel: filter.channel }} nextCursor={page.nextCursor} />
      </section>
    </Layout>
  );
}

/**
 * Bulk recovery (docs/design.md#bulk-recovery): every dead delivery of the filtered channel (or all) that died
 * since then becomes due now; the dispatcher's claim paces each channel, so nothing bursts.
 * Behind a confirmation: it sends notifications again, to every receiver concerned.
 */
function RetryDeadForm(props: { view: View; channel: string | undefined }) {
  const back = props.channel ? `/deliveries?status=dead&channel=${encodeURIComponent(props.channel)}` : '/deliveries?status=dead';
  const which = props.channel ? `of ${props.channel}` : 'of every channel';
  return (
    <div class="toolbar">
      <ConfirmAction
        id="retry-dead"
        action="/deliveries/retry-dead"
        csrf={props.view.csrf}
        back={back}
        label="Retry dead deliveries…"
        confirm="Retry them now"
        explain={`Every dead delivery ${which} that died in the last (below) is sent again, paced by its channel; its receiver gets it once more.`}
      >
        {props.channel ? <input type="hidden" name="channel" value={props.channel} /> : null}
        <label class="small">
          died in the last <input type="text" id="since" name="since" value="24h" size={8} aria-label="since (duration like 2h, or ISO time)" />
        </label>
      </ConfirmAction>
    </div>
  );
}
