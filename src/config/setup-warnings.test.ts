import { describe, expect, it } from 'vitest';
import type { EmailChannelConfig } from './channel-config.js';
import { parseRules } from './rules/rules.js';
import { channelSetupProblem, setupFacts, setupWarnings } from './setup-warnings.js';

const rulesOf = (text: string, env: Record<string, string> = {}) => {
  const result = parseRules(text, env, 'rules.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
};

describe('setup warnings', () => {
  it('email needs SMTP_URL on Node and MAIL_API_KEY on Workers, and a from', () => {
    const email: EmailChannelConfig = { type: 'email', to: ['noc@example.com'] };
    expect(channelSetupProblem(email, setupFacts({ MAIL_API_KEY: 'k', MAIL_FROM: 'a@b.c' }))?.missing).toBe('SMTP_URL is not set');
    expect(channelSetupProblem(email, setupFacts({ MAIL_API_KEY: 'k', MAIL_FROM: 'a@b.c' }, 'MAIL_API_KEY'))).toBeNull();
    expect(channelSetupProblem(email, setupFacts({ SMTP_URL: 'smtp://h' }, 'MAIL_API_KEY'))?.fix).toContain('Workers cannot speak SMTP');
    expect(channelSetupProblem(email, setupFacts({ SMTP_URL: 'smtp://h' }))?.missing).toBe('MAIL_FROM is not set and the channel has no from');
    expect(channelSetupProblem({ ...email, from: 'noc@example.com' }, setupFacts({ SMTP_URL: 'smtp://h' }))).toBeNull();
  });

  it('a blank variable counts as unset; webhook and log channels need nothing', () => {
    expect(channelSetupProblem({ type: 'slack', channel: 'C1' }, setupFacts({ SLACK_BOT_TOKEN: '  ' }))?.missing).toBe('SLACK_BOT_TOKEN is not set');
    expect(channelSetupProblem({ type: 'log' }, setupFacts({}))).toBeNull();
  });

  it('lists empty ${VAR} references with their place, after the channels', () => {
    const loaded = rulesOf('channels:\n  hook: { type: webhook, url: "https://h.example.com/${TENANT}", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw }\n  c: { type: slack, channel: C1 }\nrules: []\n', { TENANT: '' });
    expect(setupWarnings(loaded.rules, setupFacts({}), loaded.emptyVariables, 'rules.yaml')).toEqual([
      expect.stringMatching(/^channel "c" \(slack\): SLACK_BOT_TOKEN is not set/),
      'rules.yaml:2:31  channels.hook.url  ${TENANT} is set but empty: set TENANT to the value this field needs, or write the value in the rules',
    ]);
    expect(rulesOf('channels:\n  c: { type: log, text: "${X}" }\nrules: []\n', { X: 'x' }).emptyVariables).toBeUndefined();
  });

  it('finds empty references in compiled (JSON) rules too, by path', () => {
    const loaded = rulesOf(JSON.stringify({ channels: { c: { type: 'log', text: '${X}{{orderId}}' } }, rules: [] }), { X: '' });
    expect(loaded.emptyVariables).toEqual([{ path: 'channels.c.text', message: expect.stringContaining('${X} is set but empty') }]);
  });
});
