/** /events/:id: one callback in full: raw body, redacted headers, the docs/design.md#normalised-event event, its deliveries. */
import type { ChannelStateRow } from '../../store/channel-state.repo.js';
import type { EventDetail } from '../../store/admin.repo.js';
import { Badge, Code, DeliveryCard, OrderLink, When } from './components.js';
import { prettyJson, toJson } from './format.js';
import { Layout, PostButton, type View } from './layout.js';

/** One stored callback and every delivery it caused. */
export function EventPage(props: { view: View; detail: EventDetail; channels: Map<string, ChannelStateRow> }) {
  const { view, detail } = props;
  const e = detail.event;
  return (
    <Layout title={`Event ${e.id}`} view={view} active="orders">
      <div class="head">
        <div class="left">
          <h1>Callback</h1>
          <Badge status={e.status} />
          {e.stale ? <span class="badge">stale</span> : null}
        </div>
        <PostButton action={`/events/${e.id}/replay`} csrf={view.csrf} label="Replay" title="Route this callback again with the current rules" />
      </div>
      <section class="card" style="margin-top:12px">
        <dl class="kv">
          <dt>order</dt>
          <dd>
            <OrderLink orderId={e.orderId} />
          </dd>
          <dt>Colt said</dt>
          <dd class="mono">“{e.rawStatus ?? '(no status)'}”</dd>
          <dt>received</dt>
          <dd>
            <When at={e.receivedAt} now={view.now} />
          </dd>
          <dt>event id</dt>
          <dd class="mono">{e.id}</dd>
          <dt>dedupe key</dt>
          <dd class="mono small">{e.dedupeKey}</dd>
          <dt>state</dt>
          <dd>{e.state}</dd>
        </dl>
        <h3 style="margin-top:14px">Body</h3>
        <Code text={prettyJson(e.rawBody)} />
        <details>
          <summary>raw bytes as received</summary>
          <Code text={e.rawBody} />
        </details>
        <details>
          <summary>request headers (credentials removed)</summary>
          <Code text={toJson(e.headers)} />
        </details>
        <details>
          <summary>normalised event (what rules and templates see)</summary>
          <Code text={toJson(detail.normalised)} />
        </details>
      </section>
      <section class="card">
        <h2>Deliveries</h2>
        {detail.deliveries.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          detail.deliveries.map((d) => <DeliveryCard d={d} csrf={view.csrf} now={view.now} channel={props.channels.get(d.channel)} />)
        )}
      </section>
    </Layout>
  );
}
