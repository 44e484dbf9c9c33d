import { describe, expect, it } from 'vitest';
import { buildConfigReport, coltEnvironmentInUse, redactUrl } from './config-report.js';

const RULES = { source: 'RULES', origin: 'env' as const, ok: true, problems: 0 };
const report = (env: Record<string, string>) => buildConfigReport({ env, envFiles: [], unreadDotEnv: null, rules: RULES });

describe('redactUrl', () => {
  it('keeps scheme, host, port and path; hides user info, every query value and the fragment', () => {
    expect(redactUrl('postgres://relay:pa55word@db:5432/relay?sslmode=require')).toBe('postgres://***@db:5432/relay?sslmode=***');
    expect(redactUrl('https://user@hooks.example.com/base/?token=abc&sig=def#frag')).toBe('https://***@hooks.example.com/base/?token=***&sig=***#***');
    expect(redactUrl('https://relay.example.com')).toBe('https://relay.example.com');
    expect(redactUrl('https://slack.com/api/')).toBe('https://slack.com/api/');
    expect(redactUrl('smtps://apikey:key@smtp.example.com:465')).toBe('smtps://***@smtp.example.com:465');
  });

  it('is null for text that is not scheme://…, so the caller decides', () => {
    expect(redactUrl('./data')).toBeNull();
    expect(redactUrl('user:password')).toBeNull();
    expect(redactUrl('https://[not a host')).toBeNull();
  });
});

describe('buildConfigReport', () => {
  it('a secret URL that does not parse is hidden whole; its problem is still named', () => {
    const r = report({ SMTP_URL: 'not-a-url-but-secret-4711' });
    expect(JSON.stringify(r)).not.toContain('secret-4711');
    expect(r.variables.find((v) => v.name === 'SMTP_URL')).toMatchObject({ value: '[redacted]', redacted: true, problem: 'must be a URL starting with smtp:// or smtps://' });
  });

  it('an empty value counts as unset (or the default), as the parser reads it', () => {
    const r = report({ PUBLIC_URL: '  ', PORT: '' });
    expect(r.variables.find((v) => v.name === 'PUBLIC_URL')).toMatchObject({ source: 'unset', value: null });
    expect(r.variables.find((v) => v.name === 'PORT')).toMatchObject({ source: 'default', value: '8080' });
  });
});

describe('coltEnvironmentInUse', () => {
  it('reads the environment from the API host when COLT_API_BASE_URL is set', () => {
    expect(coltEnvironmentInUse({ COLT_API_BASE_URL: 'https://apis.colt.net/numberManagement/inbound/v1' })).toMatchObject({
      environment: 'production',
      why: "COLT_API_BASE_URL is Colt's production host",
    });
    expect(coltEnvironmentInUse({ COLT_ENV: 'production', COLT_API_BASE_URL: 'http://127.0.0.1:4010/x' }).environment).toBe('custom');
    expect(coltEnvironmentInUse({ COLT_ENV: 'prod' })).toMatchObject({ environment: 'sandbox', why: expect.stringContaining('neither sandbox nor production') });
  });

  it('says when the environment is guessed (COLT_ENV unset and not both URLs): writes refuse then', () => {
    expect(coltEnvironmentInUse({}).guessed).toBe(true);
    expect(coltEnvironmentInUse({ COLT_TOKEN_URL: 'http://127.0.0.1:4010/t' }).guessed).toBe(true);
    expect(coltEnvironmentInUse({ COLT_ENV: 'sandbox' }).guessed).toBe(false);
    expect(coltEnvironmentInUse({ COLT_API_BASE_URL: 'http://127.0.0.1:4010/x', COLT_TOKEN_URL: 'http://127.0.0.1:4010/t' }).guessed).toBe(false);
  });
});
