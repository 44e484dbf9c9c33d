/** /orders/open: orders still waiting for their outcome, oldest first, against their SLA (docs/design.md#reconciliation). */
import type { OrderType } from '../../event/event.js';
import type { Page } from '../../store/cursor.js';
import { openOrderStanding, type OpenOrderRow, type OpenOrderStanding } from '../../store/open-orders.repo.js';
import { Badge, OrderLink, When } from './components.js';
import { formatAgo, formatDuration, formatTime } from './format.js';
import { Layout, Pager, type View } from './layout.js';

export interface OpenOrdersData {
  page: Page<OpenOrderRow>;
  /** ORDER_SLA in ms, by order type. */
  slaMs: Record<OrderType, number>;
  /** RECONCILE_AFTER in ms, or null when the reconciler is off (no next check to show). */
  reconcileAfterMs: number | null;
}

function AgeCell(props: { o: OpenOrderRow; standing: OpenOrderStanding }) {
  const { ageMs, slaMs, overdue } = props.standing;
  return (
    <td class="nowrap" title={`first seen ${formatTime(props.o.firstSeenAt)}`}>
      <span class={overdue ? 'err' : undefined}>
        {formatDuration(ageMs)} of {formatDuration(slaMs)}
      </span>
      {overdue ? (
        <>
          {' '}
          <span class="badge b-failed">overdue</span>
        </>
      ) : null}
    </td>
  );
}

function NextCheck(props: { standing: OpenOrderStanding; now: number; reconcilerOn: boolean }) {
  if (!props.reconcilerOn) return <span class="muted">reconciler off</span>;
  const at = props.standing.nextCheckAt;
  if (!at) return <span class="muted">after its next event</span>;
  return <span title={formatTime(at)}>{at.getTime() <= props.now ? 'due now' : formatAgo(at, props.now)}</span>;
}

/** The open orders with their age against the SLA and what the last GET /order check found. */
export function OpenOrdersPage(props: { view: View; data: OpenOrdersData }) {
  const { view, data } = props;
  return (
    <Layout title="Open orders" view={view} active="open">
      <h1>Open orders</h1>
      <p class="sub">Not yet completed, failed or cancelled; oldest first. Age counts from the first callback.</p>
      <section class="card">
        {data.page.items.length === 0 ? (
          <p class="empty">No open order.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>order</th>
                  <th class="hide-sm">type</th>
                  <th>status</th>
                  <th>age vs SLA</th>
                  <th>last reconciliation</th>
                  <th class="hide-sm">next check</th>
                </tr>
              </thead>
              <tbody>
                {data.page.items.map((o) => {
                  const standing = openOrderStanding(o, view.now, data.slaMs, data.reconcileAfterMs);
                  return (
                    <tr>
                      <td>
                        <OrderLink orderId={o.orderId} />
                      </td>
                      <td class="hide-sm">{o.orderType.replace(/_/g, ' ')}</td>
                      <td>
                        <Badge status={o.status} />
                      </td>
                      <AgeCell o={o} standing={standing} />
                      <td>
                        {o.lastReconciledAt ? (
                          <>
                            <When at={o.lastReconciledAt} now={view.now} />
                            <div class="small">{o.lastReconcileResult ?? ''}</div>
                          </>
                        ) : (
                          <span class="muted">never checked</span>
                        )}
                      </td>
                      <td class="hide-sm">
                        <NextCheck standing={standing} now={view.now} reconcilerOn={data.reconcileAfterMs !== null} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/orders/open" params={{}} nextCursor={data.page.nextCursor} label="Newer" />
      </section>
    </Layout>
  );
}
