import { describe, expect, it } from 'vitest';
import { ConfigError, configWarnings, parseEnv } from './env.js';

describe('parseEnv', () => {
  it('applies the documented defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      DATA_DIR: './data',
      CALLBACK_TOKEN_HEADER: 'x-callback-token',
      MAX_BODY_BYTES: 262144,
      COLT_ENV: 'sandbox',
      COLT_TRACKING_HEADER: 'APIGWTrackingId',
      ENRICH: 'missing',
      LOG_LEVEL: 'info',
      TRUST_PROXY: false,
      WEBHOOK_ALLOW_PRIVATE: false,
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      parseEnv({ PORT: 'eighty', ENRICH: 'sometimes', CALLBACK_ALLOWED_IPS: '10.0.0.0/8, not-an-ip', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'ENRICH', 'CALLBACK_ALLOWED_IPS', 'not-an-ip', 'DATABASE_URL']) expect(problems).toContain(name);
  });

  it('refuses production without callback authentication, naming the variables', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/CALLBACK_TOKEN, CALLBACK_BASIC_AUTH, CALLBACK_HMAC_SECRET, CALLBACK_ALLOWED_IPS/);
    expect(() => parseEnv({ NODE_ENV: 'production', CALLBACK_TOKEN: 'a-long-enough-token-value' })).not.toThrow();
  });

  it('warns, outside production, when callbacks are not authenticated', () => {
    expect(configWarnings(parseEnv({})).join('\n')).toMatch(/NOT authenticated/);
    expect(configWarnings(parseEnv({ CALLBACK_TOKEN: 'short' })).join('\n')).toMatch(/CALLBACK_TOKEN is shorter/);
  });

  it('never puts a secret value in an error', () => {
    try {
      parseEnv({ COLT_CLIENT_SECRET: 'super-secret-value', CALLBACK_BASIC_AUTH: 'nocolon-secret' });
    } catch (e) {
      expect((e as Error).message).not.toContain('super-secret-value');
      expect((e as Error).message).not.toContain('nocolon-secret');
      return;
    }
    throw new Error('expected a ConfigError');
  });
});
