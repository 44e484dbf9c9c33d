/**
 * What each command does and takes, printed by `colt-relay <command> --help` (which then
 * does nothing else) and after a usage error.
 */

const DATABASE = `  DATABASE_URL   Postgres (postgres://user:pass@host:5432/db); absent → PGlite in DATA_DIR
  DATA_DIR       PGlite data folder (default ./data); one process owns it at a time`;

/** Usage of every command, by name. */
export const COMMAND_USAGE: Record<string, string> = {
  serve: `usage: colt-relay serve

Receives callbacks (/callbacks/colt), serves /healthz, /readyz, /metrics, the admin API
(/api) and the dashboard, and runs the dispatcher (the delivery loop), on PORT (default 8080) and HOST.
Stops cleanly on SIGTERM/SIGINT. Configuration from the environment (docs/configuration.md), e.g.:
${DATABASE}
  RULES_FILE     rules file (default ./rules.yaml, else built-in rules)
  ADMIN_TOKEN    turns the admin API on; the CLI's replay/retry/prune use it
`,
  worker: `usage: colt-relay worker

Runs the dispatcher (the delivery loop) only (no receiver, no admin API). Serves /healthz, /readyz and
/metrics on PORT. Use with one or more \`serve\` processes on the same Postgres.
${DATABASE}
`,
  migrate: `usage: colt-relay migrate

Applies the database migrations and exits (serve and worker also apply them at start).
${DATABASE}
`,
  rules: `usage: colt-relay rules check [file] [--json]
       colt-relay rules test [file] --event <callback.json> [--at <ISO time>] | --tests <cases.yaml> [--json]
       colt-relay rules compile [file]

check: validates the rules, every problem listed (exit 1). Without a file, checks what
startup would load: RULES, else RULES_FILE, else ./rules.yaml or the built-in rules.
test:  which rules match an event, which channels, the rendered messages; --tests runs cases.
compile: prints the checked rules as one line of JSON (for a RULES that must be one line).
--json: check prints {ok, source, origin, channels, rules, problems}; test prints
        {rules, preview, cases} (docs/operations.md#command-line). Exit codes as without it.
`,
  'send-callback': `usage: colt-relay send-callback <url> [--file F] [--token T] [--token-header H]
                                [--basic user:pass] [--hmac-secret S] [--hmac-header H]

Posts a sample completed-activation callback (or the JSON in --file) to <url>, e.g.
http://localhost:8080/callbacks/colt, and prints the answer. Exit 0 on a 2xx answer.
`,
  replay: `usage: colt-relay replay <eventId> [--json]

Routes a stored event again with the current rules: a new generation of deliveries.
--json prints {eventId, generation, deliveryIds, skippedStale, through}.
${DATABASE}
When a relay is running on DATA_DIR, the command goes through its admin API: set ADMIN_TOKEN.
`,
  deliveries: `usage: colt-relay deliveries list [--status <status>] [--channel <name>] [--order <orderId>]
                                  [--limit <1-200>] [--cursor <c>] [--json]
       colt-relay deliveries retry <deliveryId>
       colt-relay deliveries retry --dead --since <2h | ISO time> [--channel <name>]

list:  deliveries, newest first (default 50): id, status, channel, order, attempts, last
       error. --status pending|grouped|sending|delivered|retrying|dead|suppressed. When there
       are more, stderr says which --cursor shows the next page. --json prints what
       GET /api/deliveries answers: {items, nextCursor}.
retry: makes a dead or retrying delivery due now (same id, attempt history kept); with --dead,
       every delivery that died since then (of one channel), paced by each channel's limits.
${DATABASE}
When a relay is running on DATA_DIR, the command goes through its admin API: set ADMIN_TOKEN.
`,
  silence: `usage: colt-relay silence add --match <field=value> [--match …] --for <duration> --comment <text> [--author <name>] [--channel <name> …]
       colt-relay silence add --match '{"customerRef":{"prefix":"AC"}}' --until <time> --comment <text>
       colt-relay silence list [--json]
       colt-relay silence expire <silenceId>

add:    while the silence is active, deliveries of matching events are recorded as suppressed
        (naming it) instead of being sent. --match takes field=value (all must hold; a field
        given twice means either value) or a rules-file match as JSON; --for 30m|2h|1d, or
        --until an ISO time; --starts an ISO time (default now); --author defaults to $USER;
        --channel (repeatable) mutes only those channels of the rules (default: every channel).
list:   every silence, newest first: state, window, matchers, comment, author, suppressed.
        --json prints what GET /api/silences answers: {items: [silence, …]}.
expire: ends a silence now; matching deliveries are sent again.
${DATABASE}
When a relay is running on DATA_DIR, the command goes through its admin API: set ADMIN_TOKEN.
`,
  config: `usage: colt-relay config show [--json]

Prints the configuration this command would run with: every variable (docs/configuration.md),
its value in effect and where it came from (env, env-file when node read one with
--env-file, default, unset), the rules source and the Colt environment in use (sandbox,
production, or custom when COLT_API_BASE_URL points elsewhere). Secrets are never printed:
secret variables show [redacted]; URLs keep scheme, host and path, with *** for user info
and query values. Exit 1 when the configuration is invalid: what parses is shown and
every problem listed. --json prints {ok, variables, rules, colt, envFiles, problems, warnings}.
`,
  secret: `usage: colt-relay secret

Prints a fresh webhook signing secret, whsec_ and the base64 of 32 random bytes (the Standard
Webhooks format), and nothing else: put it in a webhook channel's secret (e.g. through
\${OSS_WEBHOOK_SECRET}) and give it to the receiver.
`,
  prune: `usage: colt-relay prune --older-than <n>d|<n>h   (e.g. 90d)

Deletes finished events, old attempts and refused callbacks older than that; keeps orders.
${DATABASE}
When a relay is running on DATA_DIR, the command goes through its admin API: set ADMIN_TOKEN.
`,
};

/** `colt-relay --help`. */
export const USAGE = `usage: colt-relay <command> [--help]

  serve                          HTTP receiver and dispatcher (default)
  worker                         dispatcher only (health and metrics on PORT)
  migrate                        apply database migrations
  rules check [file] [--json]    validate the rules; every problem listed
  rules test [file] --event <callback.json> [--at <ISO time>] | --tests <cases.yaml> [--json]
                                 which rules match, which channels, rendered messages
  rules compile [file]           the rules as one line of JSON (RULES takes YAML or JSON)
  mock-colt [--callback-url U …] local Colt simulator
  send-callback <url> [--file F] [--token T] [--basic user:pass] [--hmac-secret S]
                                 post a sample callback
  replay <eventId> [--json]      queue the event's deliveries again (a new generation)
  colt order|numbers|reserve|cancel-reservation|activate|update-address [--file F] [--wait D]
                                 Colt's API through the relay's client (colt --help)
  deliveries list [--status dead] [--channel name] [--limit n] [--json]
                                 deliveries, newest first
  deliveries retry <id>          try a dead or retrying delivery again now
  deliveries retry --dead --since 2h [--channel name]
                                 retry every delivery that died since then
  prune --older-than <n>d|<n>h   delete finished events, old attempts and refused callbacks
  silence add --match k=v --for 2h --comment "…" [--author name]
                                 suppress matching notifications for a while
  silence list [--json] | expire <id>
                                 list silences; end one now
  config show [--json]           the configuration in effect, secrets redacted, and where
                                 each value came from
  secret                         a fresh webhook signing secret (whsec_…)

  colt-relay <command> --help    that command's usage
  colt-relay --version           the version

Data goes to stdout, logs and messages to stderr (serve and worker log JSON lines to stdout).
--json: the commands that list or show print one JSON document. Exit codes: 0 done,
1 failed, refused or not found, 2 usage error.
`;

/** True when the arguments ask for help (before a `--` that ends the options). */
export function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
