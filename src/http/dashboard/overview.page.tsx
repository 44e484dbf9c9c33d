/**
 * The overview at /: is the relay healthy, and which orders need a person now. Numbers
 * first (dead letters, queue, oldest due), then the 24-hour charts, then failed orders.
 */
import type { QueueStats } from '../../store/admin.repo.js';
import type { ChannelStateRow } from '../../store/channel-state.repo.js';
import type { HourWindow, OutcomeSeries, ProblemOrder } from '../../store/dashboard.repo.js';
import { failureLine } from '../../event/event.js';
import { HourlyChart } from './charts.js';
import { Badge, channelBlock, OrderLink, When } from './components.js';
import { clip, formatDuration } from './format.js';
import { Layout, type View } from './layout.js';

export interface OverviewData {
  window: HourWindow;
  callbacks: number[];
  outcomes: OutcomeSeries;
  queue: QueueStats;
  problems: ProblemOrder[];
  channels: ChannelStateRow[];
}

/** Colours shared with the badges: green delivered, amber retrying, red dead. */
export const OUTCOME_COLORS = { delivered: '#22a05a', retrying: '#e8a317', dead: '#dc2626', callbacks: '#2563eb' };

/** The landing page: gauges, blocked channels, the 24-hour charts and orders that need attention. */
export function OverviewPage(props: { view: View; data: OverviewData }) {
  const { view, data } = props;
  const { depth, oldestDueAgeSeconds } = data.queue;
  const queued = depth.pending + depth.retrying + depth.sending;
  const blocked = data.channels.map((s) => ({ s, block: channelBlock(s, view.now) })).filter((x) => x.block);
  return (
    <Layout title="Overview" view={view} active="overview">
      <h1>Overview</h1>
      <p class="sub">What Colt sent, what the relay did with it, and what needs you.</p>
      <div class="stats">
        <a class={`stat ${depth.dead > 0 ? 'bad' : ''}`} href="/deliveries?status=dead" style="color:inherit;text-decoration:none">
          <div class="k">Dead letters</div>
          <div class="v">{depth.dead}</div>
          <div class="small muted">{depth.dead > 0 ? 'open the list →' : 'none'}</div>
        </a>
        <div class="stat">
          <div class="k">Queue depth</div>
          <div class="v">{queued}</div>
          <div class="small muted">
            {depth.pending} pending · {depth.retrying} retrying · {depth.sending} sending
          </div>
        </div>
        <div class={`stat ${oldestDueAgeSeconds > 300 ? 'warn' : ''}`}>
          <div class="k">Oldest due delivery</div>
          <div class="v">{oldestDueAgeSeconds > 0 ? formatDuration(oldestDueAgeSeconds * 1000) : '—'}</div>
          <div class="small muted">{oldestDueAgeSeconds > 0 ? 'waiting past its time' : 'nothing overdue'}</div>
        </div>
        <div class="stat">
          <div class="k">Callbacks · 24 h</div>
          <div class="v">{data.callbacks.reduce((a, b) => a + b, 0)}</div>
          <div class="small muted">{data.callbacks[data.callbacks.length - 1] ?? 0} this hour</div>
        </div>
      </div>
      {blocked.map(({ s, block }) => (
        <div class="notice">
          Channel <strong>{s.channel}</strong> is {block!.text}. <a href="/rules">Channels →</a>
        </div>
      ))}
      <div class="grid g2">
        <section class="card">
          <h2>Callbacks per hour</h2>
          <HourlyChart window={data.window} unit="callbacks" layers={[{ name: 'callbacks', color: OUTCOME_COLORS.callbacks, values: data.callbacks }]} />
        </section>
        <section class="card">
          <h2>Delivery attempts per hour</h2>
          <HourlyChart
            window={data.window}
            unit="attempts"
            layers={[
              { name: 'delivered', color: OUTCOME_COLORS.delivered, values: data.outcomes.delivered },
              { name: 'retrying', color: OUTCOME_COLORS.retrying, values: data.outcomes.retrying },
              { name: 'dead', color: OUTCOME_COLORS.dead, values: data.outcomes.dead },
            ]}
          />
        </section>
      </div>
      <section class="card">
        <h2>Orders that need attention</h2>
        {data.problems.length === 0 ? (
          <p class="empty">No failed orders and no dead letters.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>order</th>
                  <th>status</th>
                  <th class="hide-sm">type</th>
                  <th>reason</th>
                  <th>dead letters</th>
                  <th>updated</th>
                </tr>
              </thead>
              <tbody>
                {data.problems.map((o) => (
                  <tr>
                    <td>
                      <OrderLink orderId={o.orderId} />
                      {o.customerRef ? <div class="small muted">{o.customerRef}</div> : null}
                    </td>
                    <td>
                      <Badge status={o.status} />
                    </td>
                    <td class="hide-sm">{o.orderType.replace(/_/g, ' ')}</td>
                    <td>
                      {o.failure ? (
                        <span class="mono small" title={o.failure.message ?? ''}>
                          {clip(failureLine(o.failure), 90)}
                        </span>
                      ) : (
                        <span class="muted">—</span>
                      )}
                    </td>
                    <td>
                      {o.lastDead ? (
                        <>
                          <Badge status="dead" /> {o.dead > 1 ? `${o.dead} × ` : ''}
                          <strong>{o.lastDead.channel}</strong>
                          <div class="small mono err">{clip(o.lastDead.error, 90)}</div>
                        </>
                      ) : (
                        <span class="muted">—</span>
                      )}
                    </td>
                    <td>
                      <When at={o.updatedAt} now={view.now} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}
