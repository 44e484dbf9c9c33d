/**
 * /orders/:orderId: the order's story in time order. Each callback shows what Colt said
 * (raw status, raw body) and, under it, what the relay did (deliveries and their attempts).
 */
import type { DeliveryWithAttempts, EventSummary, OrderTimeline } from '../../store/admin.repo.js';
import type { ChannelStateRow } from '../../store/channel-state.repo.js';
import { Badge, Code, DeliveryCard, When } from './components.js';
import { failureLine } from '../../event/event.js';
import { errorLine, formatDuration, formatTime, prettyJson, toJson } from './format.js';
import { Layout, PostButton, type View } from './layout.js';

export interface OrderPageData {
  timeline: OrderTimeline;
  /** Raw callback bodies by event id. */
  bodies: Map<string, string>;
  channels: Map<string, ChannelStateRow>;
  /** ORDER_SLA of the order's type, in ms. */
  slaMs: number;
}

function numbersText(numbers: { start: string; end: string }[]): string {
  if (numbers.length === 0) return '—';
  return numbers.map((n) => (n.start === n.end ? n.start : `${n.start} – ${n.end}`)).join(', ');
}

/** Why a routed callback notified nobody: stale (and what the order had reached), or no rule matched. */
function NotNotified(props: { e: EventSummary; orderStatus: string }) {
  const { e } = props;
  const at = e.processedAt?.toISOString() ?? '—';
  if (!e.stale) return <p class="muted small">Routed at {at}: no rule matched.</p>;
  return (
    <p class="small stale-note">
      <strong>Not notified: stale.</strong> The order had already moved past {e.status.replace(/_/g, ' ')} when this callback
      arrived (it is now <Badge status={props.orderStatus} />); only rules with <code>stale: true</code> get stale callbacks
      (routed at {at}).
    </p>
  );
}

function EventItem(props: { e: EventSummary; body: string | undefined; deliveries: DeliveryWithAttempts[]; data: OrderPageData; view: View }) {
  const { e, body, deliveries, view } = props;
  const pretty = body === undefined ? undefined : prettyJson(body);
  return (
    <div class={`tl-item ${e.status}${e.stale ? ' stale' : ''}`} id={`e-${e.id}`}>
      <section class="card">
        <div class="head">
          <div class="left">
            <strong>{e.source === 'ticket' ? 'Colt ticket' : 'Colt said'}</strong>
            <span class="mono">“{e.rawStatus ?? '(no status)'}”</span>
            <Badge status={e.status} />
            {e.stale ? <span class="badge" title="The order had already moved past this status">stale</span> : null}
            <span class="muted small">{e.orderType.replace(/_/g, ' ')}</span>
          </div>
          <PostButton action={`/events/${e.id}/replay`} csrf={view.csrf} label="Replay" title="Route this callback again with the current rules" />
        </div>
        <div class="small muted">
          received <When at={e.receivedAt} now={view.now} /> · occurred {formatTime(e.occurredAt)} · event{' '}
          <a class="mono" href={`/events/${e.id}`}>
            {e.id}
          </a>
          {e.remoteAddr ? ` · from ${e.remoteAddr}` : ''}
        </div>
        {pretty !== undefined ? <Code text={pretty} /> : null}
        {body !== undefined && pretty !== body ? (
          <details>
            <summary>raw bytes as received</summary>
            <Code text={body} />
          </details>
        ) : null}
        <h3 style="margin-top:14px">What the relay did</h3>
        {e.state !== 'processed' ? (
          <p class="muted small">Waiting to be routed (enrichment or the dispatcher has not run yet).</p>
        ) : deliveries.length === 0 ? (
          <NotNotified e={e} orderStatus={props.data.timeline.order.status} />
        ) : (
          deliveries.map((d) => <DeliveryCard d={d} csrf={view.csrf} now={view.now} channel={props.data.channels.get(d.channel)} />)
        )}
      </section>
    </div>
  );
}

/**
 * The top of the page for the person on call: why Colt failed the order, and every
 * notification that died with its reason and the one button that sends it again.
 */
function Attention(props: { data: OrderPageData; view: View }) {
  const { order, events, deliveries } = props.data.timeline;
  const failedEvent = order.status === 'failed' ? [...events].reverse().find((e) => e.status === 'failed') : undefined;
  const failure = failedEvent ? props.data.timeline.failure : null;
  const detail = failure?.reason && failure.message && failure.message !== failure.reason ? failure.message : null;
  const dead = deliveries.filter((d) => d.status === 'dead');
  if (!failedEvent && dead.length === 0) return null;
  return (
    <section class="card attention">
      {failedEvent ? (
        <div class="line">
          <span class="label">Colt</span>
          <div>
            <strong>{failedEvent.rawStatus ?? 'failed'}</strong>
            {failure ? <span class="mono"> · {failureLine(failure)}</span> : <span class="muted"> · Colt gave no reason</span>}
            {detail ? <div class="small">{detail}</div> : null}
            <div class="small muted">
              <a href={`#e-${failedEvent.id}`}>callback</a> received <When at={failedEvent.receivedAt} now={props.view.now} />
              {failure?.source === 'order' ? ' · reason from the order details (GET /order)' : ''}
            </div>
          </div>
        </div>
      ) : null}
      {dead.map((d) => (
        <div class="line">
          <span class="label">Dead</span>
          <div>
            <strong>{d.channel}</strong> <span class="muted small">{d.channelType}</span> ·{' '}
<span class="mono err">{errorLine(d.lastCode, d.lastError)}</span>
            <div class="small muted">
              {d.attempts.length} attempt{d.attempts.length === 1 ? '' : 's'}, last <When at={d.updatedAt} now={props.view.now} /> ·{' '}
              <a href={`#d-${d.id}`}>details</a>
            </div>
          </div>
          <PostButton
            action={`/deliveries/${d.id}/retry`}
            csrf={props.view.csrf}
            label={props.data.channels.get(d.channel)?.disabledAt ? 'Enable channel and retry' : 'Retry now'}
            kind="primary"
          />
        </div>
      ))}
    </section>
  );
}

/** Open orders: age against the SLA; every order: who set its status and what the last GET /order check found. */
function Reconciliation(props: { data: OrderPageData; view: View }) {
  const { order } = props.data.timeline;
  const open = order.statusRank < 2;
  const ageMs = props.view.now - order.firstSeenAt.getTime();
  return (
    <>
      <dt>status from</dt>
      <dd>{order.statusSource === 'reconciliation' ? 'reconciliation (GET /order): no callback brought it' : 'callback'}</dd>
      {open ? (
        <>
          <dt>age vs SLA</dt>
          <dd class={ageMs > props.data.slaMs ? 'err' : ''}>
            open {formatDuration(ageMs)} of {formatDuration(props.data.slaMs)}
            {order.overdueAt ? ` · overdue reported ${formatTime(order.overdueAt)}` : ''}
          </dd>
        </>
      ) : null}
      <dt>last reconciliation</dt>
      <dd>
        {order.lastReconciledAt ? `${formatTime(order.lastReconciledAt)}: ${order.lastReconcileResult ?? ''}` : <span class="muted">never checked</span>}
      </dd>
    </>
  );
}

/** One order: what needs attention, its facts, then its callbacks in time order. */
export function OrderPage(props: { view: View; data: OrderPageData }) {
  const { view, data } = props;
  const { order, events, deliveries } = data.timeline;
  const byEvent = new Map<string, DeliveryWithAttempts[]>();
  for (const d of deliveries) byEvent.set(d.eventId, [...(byEvent.get(d.eventId) ?? []), d]);
  const dead = deliveries.filter((d) => d.status === 'dead').length;
  return (
    <Layout title={`Order ${order.orderId}`} view={view} active="orders">
      <div class="head">
        <div class="left">
          <h1 class="mono">{order.orderId}</h1>
          <Badge status={order.status} />
          {dead > 0 ? <span class="badge b-dead">{dead} dead letter{dead > 1 ? 's' : ''}</span> : null}
        </div>
        <a href="/orders">← all orders</a>
      </div>
      <p class="sub">
        {order.orderType.replace(/_/g, ' ')} order{order.customerRef ? ` · customer ${order.customerRef}` : ''}
      </p>
      <Attention data={data} view={view} />
      <section class="card">
        <dl class="kv">
          <dt>type</dt>
          <dd>{order.orderType.replace(/_/g, ' ')}</dd>
          <dt>numbers</dt>
          <dd class="mono">
            {numbersText(order.numbers)}
            {order.numberType !== 'unknown' ? <span class="muted"> ({order.numberType.replace(/_/g, ' ')})</span> : null}
          </dd>
          <dt>customer ref</dt>
          <dd>{order.customerRef ?? '—'}</dd>
          <dt>Colt ticket</dt>
          <dd>
            {order.ticketId ? (
              <span>
                <span class="mono">{order.ticketId}</span> · {order.ticketStatus ?? 'status not known yet'}
                {order.ticketUpdatedAt ? (
                  <span class="muted small">
                    {' '}
                    (<When at={order.ticketUpdatedAt} now={view.now} />)
                  </span>
                ) : null}
              </span>
            ) : (
              <span class="muted">none</span>
            )}
          </dd>
          <dt>first seen</dt>
          <dd>
            <When at={order.firstSeenAt} now={view.now} />
          </dd>
          <dt>updated</dt>
          <dd>
            <When at={order.updatedAt} now={view.now} />
          </dd>
          <dt>Colt order details</dt>
          <dd>
            {order.detailsFetchedAt ? (
              <details>
                <summary>fetched {order.detailsFetchedAt.toISOString()}</summary>
                <Code text={toJson(order.details)} />
              </details>
            ) : (
              <span class="muted">not fetched</span>
            )}
            {order.enrichError ? <div class="err small">enrichment failed: {order.enrichError}</div> : null}
            {data.timeline.enrichment ? (
              <div class="small">
                enrichment pending: attempt {data.timeline.enrichment.attempt}, next at {formatTime(data.timeline.enrichment.nextAt)}
                {data.timeline.enrichment.lastError ? <span class="err">, last error: {data.timeline.enrichment.lastError}</span> : null}
              </div>
            ) : null}
          </dd>
          <Reconciliation data={data} view={view} />
        </dl>
      </section>
      <h2>Timeline · {events.length} callback{events.length === 1 ? '' : 's'}</h2>
      <div class="timeline">
        {events.map((e) => (
          <EventItem e={e} body={data.bodies.get(e.id)} deliveries={byEvent.get(e.id) ?? []} data={data} view={view} />
        ))}
      </div>
    </Layout>
  );
}
