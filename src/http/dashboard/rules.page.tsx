/**
 * /rules: the channels (where, never with secrets), their health, the rules in file order,
 * and a dry-run form. Webhooks show their origin and header names only.
 */
import type { RulesConfig } from '../../config/rules/rules.js';
import type { ConditionTest, MatchSpec } from '../../config/rules/types.js';
import type { ChannelConfig } from '../../config/channel-config.js';
import type { ChannelStateRow } from '../../store/channel-state.repo.js';
import { Badge, channelBlock, Code, When } from './components.js';
import type { CallbackPreview } from '../../deliver/dry-run.js';
import { safeOrigin, toJson } from './format.js';
import { Layout, PostButton, type View } from './layout.js';

/** Where a channel sends, in words that hold no secret. */
export function channelTarget(config: ChannelConfig): string {
  switch (config.type) {
    case 'webhook': {
      const headers = Object.keys(config.headers ?? {});
      return `${safeOrigin(config.url)} · signed${headers.length ? ` · headers ${headers.join(', ')}` : ''}`;
    }
    case 'slack':
      return `Slack ${config.channel}`;
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
        <dd>{r.deliveries.length ? r.deliveries.map((d) => d.channel).join(', ') : 'none: nothing would be sent'}</dd>
      </dl>
      {r.deliveries.map((d) => (
        <div class="delivery">
          <div class="left">
            <strong>{d.channel}</strong> <span class="muted small">{d.channelType} · via {d.rules.join(', ')}</span>
          </div>
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

/** Who disabled it, since when it fails, when it last delivered. */
function ChannelHealth(props: { state: ChannelStateRow | undefined; now: number }) {
  const s = props.state;
  if (!s) return null;
  const who = { breaker: 'by the circuit breaker (CHANNEL_DISABLE_AFTER)', admin: 'by an operator', gone: 'by the peer (HTTP 410)' };
  return (
    <div class="small muted">
      {s.disabledAt && s.disabledBy ? <div>disabled {who[s.disabledBy as keyof typeof who] ?? `by ${s.disabledBy}`}</div> : null}
      {s.failingSince ? (
        <div>
          failing since <When at={s.failingSince} now={props.now} />
        </div>
      ) : null}
      {s.lastSuccessAt ? (
        <div>
          last success <When at={s.lastSuccessAt} now={props.now} />
        </div>
      ) : null}
    </div>
  );
}

/** Disable by hand, with an optional reason: the channel's deliveries are held until Enable. */
function DisableForm(props: { name: string; csrf: string }) {
  return (
    <form method="post" action={`/channels/${encodeURIComponent(props.name)}/disable`} class="inline">
      <input type="hidden" name="_csrf" value={props.csrf} />
      <input name="reason" placeholder="reason (optional)" aria-label={`reason to disable ${props.name}`} size={16} maxlength={500} />
      <button type="submit" class="danger">
        Disable
      </button>
    </form>
  );
}

export interface RulesPageProps {
  view: View;
  /** Null when this process has no pipeline (no rules loaded here). */
  rules: RulesConfig | null;
  states: Map<string, ChannelStateRow>;
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
                <th>type</th>
                <th>sends to</th>
                <th>health</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(rules.channels).map(([name, config]) => {
                const state = props.states.get(name);
                const block = channelBlock(state, view.now);
                return (
                  <tr>
                    <td>
                      <strong>{name}</strong>
                    </td>
                    <td>{config.type}</td>
                    <td class="mono small">{channelTarget(config)}</td>
                    <td>
                      {block ? <Badge status={block.kind} /> : <span class="badge b-delivered">ok</span>}
                      {block ? <div class="small muted">{block.text}</div> : null}
                      {state?.consecutiveFailures ? (
                        <div class="small muted">
                          {state.consecutiveFailures} failure{state.consecutiveFailures === 1 ? '' : 's'} in a row
                        </div>
                      ) : null}
                      <ChannelHealth state={state} now={view.now} />
                      {block?.kind === 'disabled' ? (
                        <PostButton action={`/channels/${encodeURIComponent(name)}/enable`} csrf={view.csrf} label="Enable" kind="primary" />
                      ) : (
                        <DisableForm name={name} csrf={view.csrf} />
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
        <p class="muted small">Paste a callback body: see which rules fire and what each channel would send. Nothing is stored or sent.</p>
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
