/** /orders/open: orders still waiting for their outcome, oldest first, against their SLA (DESIGN.md §8.3). */
import type { OrderType } from '../../receive/event.js';
import type { Page } from '../../store/cursor.js';
import type { OpenOrderRow } from '../../store/open-orders.repo.js';
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

/** Past its SLA now, or already reported overdue (the SLA may have been raised since). */
function isOverdue(o: OpenOrderRow, ageMs: number, slaMs: number): boolean {
  return o.overdueAt !== null || ageMs > slaMs;
}

function AgeCell(props: { o: OpenOrderRow; now: number; slaMs: number }) {
  const ageMs = props.now - props.o.firstSeenAt.getTime();
  const overdue = isOverdue(props.o, ageMs, props.slaMs);
  return (
    <td class="nowrap" title={`first seen ${formatTime(props.o.firstSeenAt)}`}>
      <span class={overdue ? 'err' : undefined}>
        {formatDuration(ageMs)} of {formatDuration(props.slaMs)}
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

function NextCheck(props: { o: OpenOrderRow; now: number; afterMs: number | null }) {
  if (props.afterMs === null) return <span class="muted">reconciler off</span>;
  if (!props.o.reconcileBaseAt) return <span class="muted">after its next event</span>;
  const at = props.o.reconcileBaseAt.getTime() + props.afterMs;
  return <span title={formatTime(new Date(at))}>{at <= props.now ? 'due now' : formatAgo(new Date(at), props.now)}</span>;
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
                {data.page.items.map((o) => (
                  <tr>
                    <td>
                      <OrderLink orderId={o.orderId} />
                    </td>
                    <td class="hide-sm">{o.orderType.replace(/_/g, ' ')}</td>
                    <td>
                      <Badge status={o.status} />
                    </td>
                    <AgeCell o={o} now={view.now} slaMs={data.slaMs[o.orderType as OrderType] ?? data.slaMs.unknown} />
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
                      <NextCheck o={o} now={view.now} afterMs={data.reconcileAfterMs} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/orders/open" params={{}} nextCursor={data.page.nextCursor} label="Newer" />
      </section>
    </Layout>
  );
}
