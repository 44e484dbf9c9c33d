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
  rules: `usage: colt-relay rules check [file]
       colt-relay rules test [file] --event <callback.json> [--at <ISO time>] | --tests <cases.yaml>
       colt-relay rules compile [file]

check: validates the rules, every problem listed (exit 1). Without a file, checks what
startup would load: RULES, else RULES_FILE, else ./rules.yaml or the built-in rules.
test:  which rules match an event, which channels, the rendered messages; --tests runs cases.
compile: prints the checked rules as one line of JSON (for a RULES that must be one line).
`,
  'send-callback': `usage: colt-relay send-callback <url> [--file F] [--token T] [--token-header H]
                                [--basic user:pass] [--hmac-secret S] [--hmac-header H]

Posts a sample completed-activation callback (or the JSON in --file) to <url>, e.g.
http://localhost:8080/callbacks/colt, and prints the answer. Exit 0 on a 2xx answer.
`,
  replay: `usage: colt-relay replay <eventId>

Routes a stored event again with the current rules: a new generation of deliveries.
${DATABASE}
When a relay is running on DATA_DIR, the command goes through its admin API: set ADMIN_TOKEN.
`,
  deliveries: `usage: colt-relay deliveries retry <deliveryId>
       colt-relay deliveries retry --dead --since <2h | ISO time> [--channel <name>]

Makes a dead or retrying delivery due now (same id, attempt history kept); with --dead,
every delivery that died since then (of one channel), paced by each channel's limits.
${DATABASE}
When a relay is running on DATA_DIR, the command goes through its admin API: set ADMIN_TOKEN.
`,
  silence: `usage: colt-relay silence add --match <field=value> [--match …] --for <duration> --comment <text> [--author <name>]
       colt-relay silence add --match '{"customerRef":{"prefix":"AC"}}' --until <time> --comment <text>
       colt-relay silence list
       colt-relay silence expire <silenceId>

add:    while the silence is active, deliveries of matching events are recorded as suppressed
        (naming it) instead of being sent. --match takes field=value (all must hold; a field
        given twice means either value) or a rules-file match as JSON; --for 30m|2h|1d, or
        --until an ISO time; --starts an ISO time (default now); --author defaults to $USER.
list:   every silence, newest first: state, window, matchers, comment, author, suppressed.
expire: ends a silence now; matching deliveries are sent again.
${DATABASE}
When a relay is running on DATA_DIR, the command goes through its admin API: set ADMIN_TOKEN.
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
  rules check [file]             validate the rules; every problem listed
  rules test [file] --event <callback.json> [--at <ISO time>] | --tests <cases.yaml>
                                 which rules match, which channels, rendered messages
  rules compile [file]           the rules as one line of JSON (RULES takes YAML or JSON)
  mock-colt [--callback-url U …] local Colt simulator
  send-callback <url> [--file F] [--token T] [--basic user:pass] [--hmac-secret S]
                                 post a sample callback
  replay <eventId>               queue the event's deliveries again (a new generation)
  colt order|numbers|reserve|cancel-reservation|activate|update-address [--file F] [--wait D]
                                 Colt's API through the relay's client (colt --help)
  deliveries retry <id>          try a dead or retrying delivery again now
  deliveries retry --dead --since 2h [--channel name]
                                 retry every delivery that died since then
  prune --older-than <n>d|<n>h   delete finished events, old attempts and refused callbacks
  silence add --match k=v --for 2h --comment "…" [--author name]
                                 suppress matching notifications for a while
  silence list | expire <id>     list silences; end one now

  colt-relay <command> --help    that command's usage
  colt-relay --version           the version
`;

/** True when the arguments ask for help (before a `--` that ends the options). */
export function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
