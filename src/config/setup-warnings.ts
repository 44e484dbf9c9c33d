/**
 * What valid rules cannot do with this environment (docs/troubleshooting.md#setup-warnings):
 * each channel whose credentials are unset, and each `${VAR}` that is set but empty. One list,
 * printed by `colt-relay rules check` (exit 0, after the ok line) and logged by `serve` at
 * start, so the two never disagree about what is missing.
 */
import type { ChannelConfig } from './channel-config.js';
import { formatProblems } from './rules/problems.js';
import type { RuleProblem, RulesConfig } from './rules/types.js';

/** What the channels can use where the relay runs. */
export interface SetupFacts {
  /** How email leaves: SMTP on Node, the HTTP mail API on Workers; and whether that is configured. */
  mail: { variable: 'SMTP_URL' | 'MAIL_API_KEY'; set: boolean };
  mailFrom: boolean;
  slackToken: boolean;
  coltTicketBaseUrl: boolean;
  coltCredentials: boolean;
}

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * The facts as the environment states them. `mailVariable` is what sends email where the
 * relay runs: SMTP_URL on Node (the default), MAIL_API_KEY on Workers.
 */
export function setupFacts(env: Record<string, string | undefined>, mailVariable: SetupFacts['mail']['variable'] = 'SMTP_URL'): SetupFacts {
  return {
    mail: { variable: mailVariable, set: isSet(env[mailVariable]) },
    mailFrom: isSet(env.MAIL_FROM),
    slackToken: isSet(env.SLACK_BOT_TOKEN),
    coltTicketBaseUrl: isSet(env.COLT_TICKET_API_BASE_URL),
    coltCredentials: isSet(env.COLT_CLIENT_ID) && isSet(env.COLT_CLIENT_SECRET),
  };
}

/** What is missing for one channel, and what to do about it; null when it can send. */
export function channelSetupProblem(config: ChannelConfig, facts: SetupFacts): { missing: string; fix: string } | null {
  switch (config.type) {
    case 'slack':
      return facts.slackToken ? null : { missing: 'SLACK_BOT_TOKEN is not set', fix: 'set it to the Slack app\'s bot token (xoxb-…, scope chat:write)' };
    case 'email':
      if (!facts.mail.set) {
        const fix =
          facts.mail.variable === 'SMTP_URL'
            ? 'set it to your mail server URL (smtp://host:587, with the login as its user and password); on Workers set MAIL_API_KEY instead'
            : 'set it to the HTTP mail API key: Workers cannot speak SMTP';
        return { missing: `${facts.mail.variable} is not set`, fix };
      }
      if (!config.from && !facts.mailFrom) return { missing: 'MAIL_FROM is not set and the channel has no from', fix: 'set MAIL_FROM (e.g. "colt-relay <relay@example.com>")' };
      return null;
    case 'colt-ticket':
      if (!facts.coltTicketBaseUrl) {
        return { missing: 'COLT_TICKET_API_BASE_URL is not set', fix: "ask Colt for the Trouble Ticket API's base URL (it is not published) and set it" };
      }
      if (!facts.coltCredentials) {
        return { missing: 'COLT_CLIENT_ID/COLT_CLIENT_SECRET are not set', fix: 'tickets use the same OAuth credentials as order lookups: set both' };
      }
      return null;
    case 'webhook':
    case 'log':
      return null;
  }
}

/**
 * Every warning, channels first (file order), then empty variables (file order):
 * `channel "ops-slack" (slack): SLACK_BOT_TOKEN is not set; its sends fail until then: set it …`
 * and `rules.yaml:4:20  channels.oss.url  ${OSS_URL} is set but empty: …`.
 * @param source names the rules in messages (the file path or RULES).
 */
export function setupWarnings(rules: RulesConfig, facts: SetupFacts, emptyVariables: readonly RuleProblem[] = [], source = 'rules'): string[] {
  const warnings: string[] = [];
  for (const [name, config] of Object.entries(rules.channels)) {
    const problem = channelSetupProblem(config, facts);
    if (problem) warnings.push(`channel "${name}" (${config.type}): ${problem.missing}; its sends fail until then: ${problem.fix}`);
  }
  if (emptyVariables.length > 0) warnings.push(...formatProblems(emptyVariables, source).split('\n'));
  return warnings;
}
