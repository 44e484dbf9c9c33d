/** /orders: find an order by id or customer reference, optionally by status. */
import type { OrderRow, Page } from '../../store/admin.repo.js';
import { Badge, OrderLink, When } from './components.js';
import { Layout, Pager, type View } from './layout.js';

export interface OrdersFilter {
  q?: string;
  status?: string;
}

const STATUS_FILTERS = ['failed', 'completed', 'in_progress', 'raised', 'cancelled'];

function numbersText(o: OrderRow): string {
  const first = o.numbers[0];
  if (!first) return '—';
  const range = first.start === first.end ? first.start : `${first.start}–${first.end}`;
  return o.numbers.length > 1 ? `${range} +${o.numbers.length - 1}` : range;
}

/** The order search and list, most recently updated first. */
export function OrdersPage(props: { view: View; page: Page<OrderRow>; filter: OrdersFilter }) {
  const { view, page, filter } = props;
  const href = (status?: string) => {
    const q = new URLSearchParams();
    if (filter.q) q.set('q', filter.q);
    if (status) q.set('status', status);
    const s = q.toString();
    return s ? `/orders?${s}` : '/orders';
  };
  return (
    <Layout title="Orders" view={view} active="orders">
      <h1>Orders</h1>
      <p class="sub">Search by order id (prefix) or customer reference.</p>
      <form method="get" action="/orders" class="toolbar" role="search">
        <input type="search" name="q" value={filter.q ?? ''} placeholder="IN-ORD-100235 or customer ref" aria-label="Order id or customer reference" />
        {filter.status ? <input type="hidden" name="status" value={filter.status} /> : null}
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      <div class="toolbar filters">
        <a href={href()} class={filter.status ? undefined : 'on'}>
          all
        </a>
        {STATUS_FILTERS.map((s) => (
          <a href={href(s)} class={filter.status === s ? 'on' : undefined}>
            {s.replace(/_/g, ' ')}
          </a>
        ))}
      </div>
      <section class="card">
        {page.items.length === 0 ? (
          <p class="empty">No order matches.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>order</th>
                  <th>status</th>
                  <th class="hide-sm">type</th>
                  <th class="hide-sm">numbers</th>
                  <th class="hide-sm">customer ref</th>
                  <th>updated</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((o) => (
                  <tr>
                    <td>
                      <OrderLink orderId={o.orderId} />
                    </td>
                    <td>
                      <Badge status={o.status} />
                    </td>
                    <td class="hide-sm">{o.orderType.replace(/_/g, ' ')}</td>
                    <td class="hide-sm mono">{numbersText(o)}</td>
                    <td class="hide-sm">{o.customerRef ?? '—'}</td>
                    <td>
                      <When at={o.updatedAt} now={view.now} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/orders" params={{ q: filter.q, status: filter.status }} nextCursor={page.nextCursor} />
      </section>
    </Layout>
  );
}
