/**
 * /rules: the channels by name with where they send (never a secret) and their health from
 * their last outcomes, Disable behind a confirmation, the rules in file order, and a dry-run
 * form that also says what would hold each channel back.
 */
import type { RulesConfig } from '../../config/rules/rules.js';
import type { ConditionTest, MatchSpec } from '../../config/rules/types.js';
import type { ChannelConfig } from '../../config/channel-config.js';
import type { Hold } from '../../route/holds.js';
import { Badge, Code } from './components.js';
import type { CallbackPreview } from '../../deliver/dry-run.js';
import { HEALTH_CLASS, type ChannelHealth } from './channel-health.js';
import { safeUrlPrefix, toJson } from './format.js';
import { ConfirmAction, Layout, PostButton, type View } from './layout.js';

/**
 * Where a channel sends, in words that hold no secret: a webhook's origin and leading path
 * words (two webhooks on one origin differ there) and its header names, a Slack channel id,
 * email recipients.
 */
export function channelTarget(config: ChannelConfig): string {
  switch (config.type) {
    case 'webhook': {
      const headers = Object.keys(config.headers ?? {});
      return `${safeUrlPrefix(config.url)} · signed${headers.length ? ` · headers ${headers.join(', ')}` : ''}`;
    }
    case 'slack':
      return `Slack channel ${config.channel}`;
    case 'email':
      return [`to ${config.to.join(', ')}`, config.cc?.length ? `cc ${config.cc.join(', ')}` : ''].filter(Boolean).join(' · ');
    case 'log':
      return 'relay log';
    case 'colt-ticket':
      return `Colt trouble ticket · ${config.severity} · ${config.ticketType}`;
  }
}

function describeTest(field: string, t: ConditionTest): string {
  const show = (v: string | null) => (v === null ? 'absent' : v);
  switch (t.op) {
    case 'eq':
      return `${field} = ${show(t.arg)}`;
    case 'in':
      return `${field} in [${t.arg.map(show).join(', ')}]`;
    case 'not':
      return `${field} ≠ ${show(t.arg)}`;
    case 'notIn':
      return `${field} not in [${t.arg.map(show).join(', ')}]`;
    case 'regex':
      return `${field} ~ ${t.arg.source}`;
    case 'prefix':
      return `${field} starts with ${t.arg}`;
    case 'exists':
      return t.arg ? `${field} exists` : `${field} absent`;
  }
}

/** A loaded `match` in one line: clauses joined by "or", conditions by "and". */
export function describeMatch(match: MatchSpec | undefined): string {
  if (!match || match.length === 0) return 'every event';
  const clause = (c: MatchSpec[number]) => c.flatMap((f) => f.tests.map((t) => describeTest(f.field, t))).join(' and ');
  return match.length === 1 ? clause(match[0]!) : match.map((c) => `(${clause(c)})`).join(' or ');
}

/** Each hold reason in a word or two, for the summary line. */
const HOLD_WORD: Record<Hold['reason'], string> = {
  disabled: 'channel disabled',
  paused: 'paused by the receiver',
  quiet_hours: 'quiet hours',
  silenced: 'silenced',
  rate_limited: 'rate limited',
};

/** "Would be held" lines: what holds the delivery and until when. */
function HeldLines(props: { held: Hold[] }) {
  if (props.held.length === 0) return null;
  return (
    <div class="notice small held">
      {props.held.map((h) => (
        <div>
          <b>would be held: {HOLD_WORD[h.reason]}</b> · {h.text}
        </div>
      ))}
    </div>
  );
}

function DryRunOutput(props: { result: CallbackPreview }) {
  const r = props.result;
  if (!r.ok) return <div class="reason">{r.error}</div>;
  return (
    <div>
      <dl class="kv" style="margin:12px 0">
        <dt>event</dt>
        <dd>
          order <span class="mono">{r.event.orderId}</span> · <Badge status={r.event.status} /> · {r.event.orderType} · {r.event.numberType}
        </dd>
        <dt>rules matched</dt>
        <dd>{r.route.matched.length ? r.route.matched.map((m) => `${m.rule} → ${m.channels.join(', ')}`).join('; ') : 'none'}</dd>
        {r.route.stoppedBy ? (
          <>
            <dt>stopped by</dt>
            <dd>{r.route.stoppedBy} (stop: true)</dd>
          </>
        ) : null}
        <dt>channels</dt>
        <dd>
          {r.deliveries.length
            ? r.deliveries.map((d) => (d.held.length ? `${d.channel} (held: ${d.held.map((h) => HOLD_WORD[h.reason]).join(', ')})` : d.channel)).join(', ')
            : 'none: nothing would be sent'}
        </dd>
      </dl>
      {r.deliveries.map((d) => (
        <div class="delivery">
          <div class="left">
            <strong>{d.channel}</strong> <span class="muted small">{d.channelType} · via {d.rules.join(', ')}</span>{' '}
            {d.held.length ? <span class="badge b-paused">held</span> : <span class="badge b-delivered">sent at once</span>}
          </div>
          <HeldLines held={d.held} />
          {d.decisions.map((line) => (
            <div class="small muted">{line}</div>
          ))}
          {d.renderError ? <div class="reason">cannot render: {d.renderError}</div> : null}
          {d.message?.subject !== undefined ? <div class="small">subject: {d.message.subject}</div> : null}
          <Code text={d.message?.text ?? ''} />
          {d.message?.body !== undefined ? (
            <details>
              <summary>body</summary>
              <Code text={typeof d.message.body === 'string' ? d.message.body : toJson(d.message.body)} />
            </details>
          ) : null}
        </div>
      ))}
      <details>
        <summary>normalised event</summary>
        <Code text={toJson(r.event)} />
      </details>
    </div>
  );
}

/** Disable by hand, behind a confirmation, with an optional reason: the channel's deliveries are held until Enable. */
function DisableAction(props: { name: string; csrf: string }) {
  return (
    <ConfirmAction
      action={`/channels/${encodeURIComponent(props.name)}/disable`}
      csrf={props.csrf}
      label="Disable…"
      confirm={`Disable ${props.name}`}
      explain="Nothing is sent to it until it is enabled again; its deliveries wait, none is dropped."
    >
      <input type="text" name="reason" placeholder="reason (optional)" aria-label={`reason to disable ${props.name}`} size={20} maxlength={500} />
    </ConfirmAction>
  );
}

/** The health badge and its one line of why. */
function HealthCell(props: { health: ChannelHealth | undefined }) {
  const h = props.health ?? { kind: 'idle' as const, label: 'no sends yet', detail: '' };
  return (
    <>
      <span class={HEALTH_CLASS[h.kind]}>{h.label}</span>
      {h.detail ? <div class="small muted">{h.detail}</div> : null}
    </>
  );
}

export interface RulesPageProps {
  view: View;
  /** Null when this process has no pipeline (no rules loaded here). */
  rules: RulesConfig | null;
  /** Each channel's health from its last outcomes (channel-health.ts). */
  health: Map<string, ChannelHealth>;
  input: string;
  result?: CallbackPreview;
}

/** Channels, rules and the dry-run form (with its result after a post). */
export function RulesPage(props: RulesPageProps) {
  const { view, rules } = props;
  if (!rules) {
    return (
      <Layout title="Rules" view={view} active="rules">
        <h1>Rules</h1>
        <p class="notice">This process runs no dispatcher, so it has no rules loaded.</p>
      </Layout>
    );
  }
  return (
    <Layout title="Rules" view={view} active="rules">
      <h1>Rules</h1>
      <p class="sub">The rules in force, in file order. Secrets are never shown.</p>
      <section class="card">
        <h2>Channels</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>name</th>
                <th>health</th>
                <th>sends to</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(rules.channels).map(([name, config]) => {
                const health = props.health.get(name);
                return (
                  <tr id={`c-${name}`}>
                    <td>
                      <strong>{name}</strong>
                      <div class="small muted">{config.type}</div>
                    </td>
                    <td>
                      <HealthCell health={health} />
                    </td>
                    <td class="mono small">{channelTarget(config)}</td>
                    <td>
                      {health?.kind === 'disabled' ? (
                        <PostButton action={`/channels/${encodeURIComponent(name)}/enable`} csrf={view.csrf} label="Enable" kind="primary" />
                      ) : (
                        <DisableAction name={name} csrf={view.csrf} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card">
        <h2>Rules</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>rule</th>
                <th>when</th>
                <th>notify</th>
                <th class="hide-sm">flags</th>
              </tr>
            </thead>
            <tbody>
              {rules.rules.map((r) => (
                <tr>
                  <td>
                    <strong>{r.name}</strong>
                  </td>
                  <td class="mono small">{describeMatch(r.match)}</td>
                  <td>{r.notify.join(', ')}</td>
                  <td class="hide-sm small">{[r.stop ? 'stop' : '', r.stale ? 'stale' : ''].filter(Boolean).join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card" id="dry-run">
        <h2>Dry run</h2>
        <p class="muted small">
          Paste a callback body: see which rules fire, what would hold each channel back right now (disabled, paused, quiet
          hours, a silence, a rate limit) and what each would send. Nothing is stored or sent.
        </p>
        <form method="post" action="/rules/dry-run#dry-run">
          <input type="hidden" name="_csrf" value={view.csrf} />
          <textarea name="callback" aria-label="Callback JSON" spellcheck={false}>
            {props.input}
          </textarea>
          <div style="margin-top:8px">
            <button type="submit" class="primary">
              Run
            </button>
          </div>
        </form>
        {props.result ? <DryRunOutput result={props.result} /> : null}
      </section>
    </Layout>
  );
}
