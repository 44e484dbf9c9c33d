/** Small pieces the pages share: status badges, times, JSON blocks, the delivery card. */
import type { DeliveryWithAttempts } from '../../store/admin.repo.js';
import { parseSilencedReason } from '../../route/silences.js';
import type { ChannelStateRow } from '../../store/channel-state.repo.js';
import { clip, formatAgo, formatDuration, formatTime } from './format.js';
import { PostButton } from './layout.js';

/** A coloured status word; the class comes from a fixed set, so odd values only lose colour. */
export function Badge(props: { status: string | null | undefined }) {
  const status = props.status ?? 'unknown';
  const cls = /^[a-z_]+$/.test(status) ? `badge b-${status}` : 'badge';
  return <span class={cls}>{status.replace(/_/g, ' ')}</span>;
}

/** An absolute UTC time with "5 min ago" beside it. */
export function When(props: { at: Date | string | null | undefined; now: number }) {
  if (!props.at) return <span class="muted">—</span>;
  return (
    <span class="nowrap" title={formatTime(props.at)}>
      {formatTime(props.at)} <span class="muted small">· {formatAgo(props.at, props.now)}</span>
    </span>
  );
}

/** Pre-formatted text (JSON, raw bodies): escaped like every other text. */
export function Code(props: { text: string }) {
  return <pre>{props.text}</pre>;
}

/** A link to an order's page. */
export function OrderLink(props: { orderId: string }) {
  // The relay's own events (relay.channel_disabled) are about no order.
  if (props.orderId === '') return <span class="muted">no order (relay event)</span>;
  return (
    <a href={`/orders/${encodeURIComponent(props.orderId)}`} class="mono">
      {props.orderId}
    </a>
  );
}

/** Drops a leading code the rest repeats: `410 HTTP 410 Gone` → `HTTP 410 Gone`. */
function tidyReason(reason: string | null): string {
  if (!reason) return 'no reason recorded';
  const [first, ...rest] = reason.split(' ');
  const tail = rest.join(' ');
  return first && tail.includes(first) ? tail : reason;
}

/** The channel's state when it holds deliveries back, as words: `disabled for 5 min: HTTP 410 Gone`. */
export function channelBlock(state: ChannelStateRow | undefined, now: number): { kind: 'disabled' | 'paused'; text: string } | null {
  if (!state) return null;
  if (state.disabledAt) {
    return { kind: 'disabled', text: `disabled (for ${formatDuration(now - state.disabledAt.getTime())}): ${tidyReason(state.disabledReason)}` };
  }
  if (state.pausedUntil && state.pausedUntil.getTime() > now) return { kind: 'paused', text: `paused until ${formatTime(state.pausedUntil)}` };
  return null;
}

/**
 * "suppressed by silence <comment> (on ops-slack only)", linking to the silence (docs/design.md#silences).
 * The comment and the channels are the ones recorded on the delivery (route/silences.ts
 * silencedReason), so no query is needed to show them; a silence of every channel says so.
 */
export function SilencedBy(props: { silenceId: string; lastError: string | null }) {
  const recorded = parseSilencedReason(props.silenceId, props.lastError);
  const scope = recorded?.channels ? `on ${recorded.channels.join(', ')} only` : 'every channel';
  return (
    <span class="silenced">
      suppressed by silence <a href={`/silences#s-${props.silenceId}`}>{recorded?.comment ?? props.silenceId}</a>{' '}
      <span class="muted">({scope})</span>
    </span>
  );
}

/** Deliveries an operator may send again now. */
export function canRetry(status: string): boolean {
  return status === 'dead' || status === 'retrying';
}

/**
 * One delivery: channel, status, why it failed (the last error, prominently), a retry button
 * and every attempt in order with its time, code, error and the start of the peer's answer.
 */
export function DeliveryCard(props: { d: DeliveryWithAttempts; csrf: string; now: number; channel?: ChannelStateRow }) {
  const { d, csrf, now } = props;
  const block = channelBlock(props.channel, now);
  const retryLabel = block?.kind === 'disabled' ? 'Enable channel and retry' : 'Retry now';
  return (
    <div class={`delivery ${d.status}`} id={`d-${d.id}`}>
      <div class="head">
        <div class="left">
          <strong>{d.channel}</strong>
          <span class="muted small">{d.channelType}</span>
          <Badge status={d.status} />
          {d.generation > 0 ? <span class="muted small">replay #{d.generation}</span> : null}
          {block ? <Badge status={block.kind} /> : null}
        </div>
        {canRetry(d.status) ? (
          <PostButton action={`/deliveries/${d.id}/retry`} csrf={csrf} label={retryLabel} kind="primary" />
        ) : null}
      </div>
      {d.status === 'dead' || d.status === 'retrying' ? (
        <div class="reason">
          <b>{d.status === 'dead' ? 'Dead letter' : 'Failing'}</b>
          {d.lastCode ? ` · code ${d.lastCode}` : ''}: <span class="mono">{d.lastError ?? 'no error recorded'}</span>
          {d.status === 'retrying' ? (
            <div class="small">
              next attempt <When at={d.nextAttemptAt} now={now} />
            </div>
          ) : null}
        </div>
      ) : null}
      {d.silenceId ? (
        <div class="notice small">
          <SilencedBy silenceId={d.silenceId} lastError={d.lastError} />
        </div>
      ) : null}
      {block ? (
        <div class="notice small">
          Channel <strong>{d.channel}</strong> is {block.text}.{' '}
          {block.kind === 'disabled' ? 'Nothing is sent to it until it is enabled; Retry enables it.' : 'Its deliveries wait until then.'}
        </div>
      ) : null}
      <div class="small muted">
        delivery <span class="mono">{d.id}</span> · rules {d.rules.join(', ')} · created <When at={d.createdAt} now={now} />
        {d.groupId ? (
          <>
            {' '}
            · {d.status === 'grouped' ? 'waits in' : 'sent with'} group <span class="mono">{d.groupId}</span>
            {d.status === 'grouped' ? (
              <>
                {' '}
                due <When at={d.nextAttemptAt} now={now} />
              </>
            ) : null}
          </>
        ) : null}
        {d.deliveredAt ? (
          <>
            {' '}
            · delivered <When at={d.deliveredAt} now={now} />
          </>
        ) : null}
      </div>
      {d.attempts.length > 0 ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>#</th>
                <th>time</th>
                <th>outcome</th>
                <th>code</th>
                <th class="hide-sm">took</th>
                <th>error / response</th>
              </tr>
            </thead>
            <tbody>
              {d.attempts.map((a) => (
                <tr>
                  <td class="num">{a.attempt}</td>
                  <td class="nowrap">{formatTime(a.startedAt)}</td>
                  <td>
                    <Badge status={a.outcome === 'retry' ? 'retrying' : a.outcome} />
                  </td>
                  <td class="mono">{a.code ?? '—'}</td>
                  <td class="num hide-sm">{a.durationMs} ms</td>
                  <td>
                    {a.error ? <div class="mono err">{a.error}</div> : null}
                    {a.response ? (
                      <details>
                        <summary>response: {clip(a.response, 80)}</summary>
                        <Code text={a.response} />
                      </details>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted small">No attempt yet.</p>
      )}
    </div>
  );
}
