/**
 * The dashboard's silences: `GET /silences` (list and form), `POST /silences` (create),
 * `POST /silences/:id/expire`. Posts run behind the session and CSRF checks and redirect
 * (post/redirect/get); a refused form is shown again with its problems (400).
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AppDeps } from '../deps.js';
import { checkSilenceInput } from '../../config/silence-input.js';
import { parseMatchText, type SilenceIssue } from '../../config/silence-match.js';
import { countSuppressed, createSilence, expireSilence, listSilences, silenceState } from '../../store/silences.repo.js';
import type { DashboardEnv } from './auth.js';
import { NotFoundPage } from './not-found.page.js';
import { loadView } from './pages.routes.js';
import { EMPTY_SILENCE_FORM, SilencesPage, type SilenceForm } from './silences.page.js';

/** Messages after a silence action, by the redirect's `done` key: fixed text. */
const SILENCE_FLASH: Record<string, string> = {
  silenced: 'Silence created: matching deliveries are suppressed from now on.',
  expired: 'Silence expired: matching deliveries are sent again.',
  'already-ended': 'Nothing changed: that silence had already ended.',
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** The channels of the rules in force, for the picker; none when this process has no rules. */
const knownChannels = (deps: AppDeps) => Object.keys(deps.pipeline?.rules().channels ?? {});

/** The ticked `channels[]` boxes, as names. */
function tickedChannels(raw: unknown): string[] {
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

async function renderPage(c: Context<DashboardEnv>, deps: AppDeps, form: SilenceForm, issues?: SilenceIssue[]) {
  const view = await loadView(c, deps);
  const flash = SILENCE_FLASH[c.req.query('done') ?? ''];
  const rows = await listSilences(deps.store.db);
  const counts = await countSuppressed(deps.store.db, rows.map((r) => r.id));
  const now = new Date(deps.clock.now());
  const items = rows.map((row) => ({ row, state: silenceState(row, now), suppressed: counts.get(row.id) ?? 0 }));
  const page = SilencesPage({ view: { ...view, ...(flash && { flash }) }, items, form, channels: knownChannels(deps), ...(issues && { issues }) });
  return c.html(page, issues ? 400 : 200);
}

/** Registers the silence page (`page` guard) and its form posts (`action` guard). */
export function addSilenceRoutes(
  app: Hono<DashboardEnv>,
  deps: AppDeps,
  guards: { page: MiddlewareHandler<DashboardEnv>; action: MiddlewareHandler<DashboardEnv> },
): void {
  const changed = () => deps.pipeline?.dispatcher.silences.invalidate();

  app.get('/silences', guards.page, (c) => renderPage(c, deps, EMPTY_SILENCE_FORM));

  app.post('/silences', guards.action, async (c) => {
    const body = c.get('form');
    const form: SilenceForm = {
      match: text(body['match']),
      duration: text(body['duration']),
      comment: text(body['comment']),
      createdBy: text(body['createdBy']),
      channels: tickedChannels(body['channels[]']),
    };
    const parsed = parseMatchText([form.match]);
    const now = deps.clock.now();
    const { channels, ...fields } = form;
    const input = { ...fields, match: parsed.ok ? parsed.match : undefined, ...(channels.length > 0 && { channels }) };
    const check = checkSilenceInput(input, now, deps.pipeline ? { knownChannels: knownChannels(deps) } : {});
    if (!parsed.ok || !check.ok) {
      const issues = [...(parsed.ok ? [] : parsed.issues), ...(check.ok ? [] : check.issues.filter((i) => parsed.ok || !i.path.startsWith('match')))];
      return renderPage(c, deps, form, issues);
    }
    const row = await createSilence(deps.store.db, check.silence, new Date(now));
    changed();
    deps.logger.info({ silenceId: row.id, createdBy: row.createdBy, channels: row.channels ?? 'all' }, 'silence created (dashboard)');
    return c.redirect(`/silences?done=silenced#s-${row.id}`, 303);
  });

  app.post('/silences/:id/expire', guards.action, async (c) => {
    const id = c.req.param('id');
    const result = await expireSilence(deps.store.db, id, new Date(deps.clock.now()));
    if (result.kind === 'not_found') return c.html(NotFoundPage({ view: await loadView(c, deps), what: 'silence', id }), 404);
    if (result.kind === 'expired') {
      changed();
      deps.logger.info({ silenceId: id }, 'silence expired (dashboard)');
    }
    return c.redirect(`/silences?done=${result.kind === 'expired' ? 'expired' : 'already-ended'}#s-${id}`, 303);
  });
}
