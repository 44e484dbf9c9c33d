/**
 * /silences (docs/design.md#silences): every silence newest first (what it matches, on which
 * channels, its window, why, who, how many deliveries it held back) with Expire behind a
 * confirmation, and the form that creates one (with a channel picker). The form's input is
 * checked server-side by the API's checker: the same errors.
 */
import { describeMatch, type SilenceIssue } from '../../config/silence-match.js';
import type { SilenceRow, SilenceState } from '../../store/silences.repo.js';
import { When } from './components.js';
import { ConfirmAction, Layout, type View } from './layout.js';

export interface SilenceItem {
  row: SilenceRow;
  state: SilenceState;
  suppressed: number;
}

/** What the operator typed, shown again with the problems when it did not pass. */
export interface SilenceForm {
  match: string;
  duration: string;
  comment: string;
  createdBy: string;
  /** The channels ticked; none: every channel. */
  channels: string[];
}

export const EMPTY_SILENCE_FORM: SilenceForm = { match: '', duration: '2h', comment: '', createdBy: '', channels: [] };

/** "every channel", or the channels a silence mutes. */
export function silenceScope(channels: readonly string[] | null | undefined): string {
  return channels?.length ? channels.join(', ') : 'every channel';
}

/** The anchor of a silence on /silences, for links from suppressed deliveries. */
export const silenceHref = (id: string) => `/silences#s-${id}`;

/** Active silences stand out (amber, like a paused channel); ended ones are plain. */
const STATE_CLASS: Record<SilenceState, string> = { active: 'badge b-paused', pending: 'badge b-pending', expired: 'badge' };

/**
 * The channel picker: one box per channel of the rules; none ticked mutes every channel.
 * Named `channels[]` so the form parser keeps every ticked box.
 */
function ChannelPicker(props: { channels: string[]; checked: string[] }) {
  if (props.channels.length === 0) return null;
  return (
    <fieldset class="channels">
      <legend>
        Channels <span class="muted small">(none ticked: every channel)</span>
      </legend>
      {props.channels.map((name) => (
        <label class="check">
          <input type="checkbox" name="channels[]" value={name} checked={props.checked.includes(name)} /> {name}
        </label>
      ))}
    </fieldset>
  );
}

export function SilencesPage(props: { view: View; items: SilenceItem[]; form: SilenceForm; channels: string[]; issues?: SilenceIssue[] }) {
  const { view, items, form } = props;
  return (
    <Layout title="Silences" view={view} active="silences">
      <h1>Silences</h1>
      <p class="muted small">
        While a silence is active, every delivery whose event it matches, to the channels it names (or to any channel), is
        recorded as <em>suppressed</em>, naming it, instead of being sent. It stops at its end, or when expired here.
      </p>
      <section class="card" id="new">
        <h2>New silence</h2>
        {props.issues?.length ? (
          <div class="reason" role="alert">
            <b>Not created:</b>
            <ul>
              {props.issues.map((i) => (
                <li>
                  <span class="mono">{i.path}</span> {i.message}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <form method="post" action="/silences#new">
          <input type="hidden" name="_csrf" value={view.csrf} />
          <label for="silence-match">
            Matchers: one <span class="mono">field=value</span> per line (all must hold; a field twice means either value), or a
            rules-file match as JSON like <span class="mono">{'{"customerRef":{"prefix":"AC"}}'}</span>
          </label>
          <textarea id="silence-match" name="match" spellcheck={false} style="min-height:80px" placeholder={'status=failed\ncustomerRef=ACME'}>
            {form.match}
          </textarea>
          <ChannelPicker channels={props.channels} checked={form.channels} />
          <div class="toolbar" style="margin-top:8px">
            <label>
              For <input type="text" name="duration" value={form.duration} size={6} aria-label="Duration" placeholder="2h" />
            </label>
            <label>
              Comment <input type="text" name="comment" value={form.comment} size={40} aria-label="Comment" placeholder="Colt incident 4711" />
            </label>
            <label>
              Author <input type="text" name="createdBy" value={form.createdBy} size={16} aria-label="Author" />
            </label>
            <button type="submit" class="primary">
              Silence
            </button>
          </div>
        </form>
      </section>
      <section class="card">
        <h2>All silences</h2>
        {items.length === 0 ? (
          <p class="empty">No silence yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>matchers</th>
                  <th>channels</th>
                  <th>state</th>
                  <th>starts</th>
                  <th>ends</th>
                  <th>comment</th>
                  <th>author</th>
                  <th class="num">suppressed</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {items.map(({ row, state, suppressed }) => (
                  <tr id={`s-${row.id}`}>
                    <td class="mono small">{describeMatch(row.match)}</td>
                    <td class={row.channels?.length ? 'small' : 'small muted'}>{silenceScope(row.channels)}</td>
                    <td>
                      <span class={STATE_CLASS[state]}>{state}</span>
                    </td>
                    <td>
                      <When at={row.startsAt} now={view.now} />
                    </td>
                    <td>
                      <When at={row.expiredAt ?? row.endsAt} now={view.now} />
                      {row.expiredAt ? <div class="small muted">expired by hand</div> : null}
                    </td>
                    <td>{row.comment}</td>
                    <td>{row.createdBy}</td>
                    <td class="num">{suppressed}</td>
                    <td>
                      {state === 'expired' ? null : (
                        <ConfirmAction
                          action={`/silences/${row.id}/expire`}
                          csrf={view.csrf}
                          label="Expire…"
                          confirm="Expire now"
                          explain={`Ends this silence now: deliveries it matches on ${silenceScope(row.channels)} are sent again.`}
                        />
                      )}
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
