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
      COLT_TRACKING_HEADER: 'APIGWTrackingId',
      ENRICH: 'missing',
      LOG_LEVEL: 'info',
      TRUST_PROXY: false,
      WEBHOOK_ALLOW_PRIVATE: false,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.COLT_ENV).toBeUndefined();
    expect(env).toMatchObject({ RECONCILE: true, RECONCILE_AFTER: 7_200_000, RECONCILE_MAX_INTERVAL: 21_600_000, ENRICH_MAX_WAIT: 120_000 });
    expect(env.ORDER_SLA).toEqual({
      reservation: 4 * 3_600_000,
      reservation_cancellation: 4 * 3_600_000,
      activation: 72 * 3_600_000,
      address_update: 72 * 3_600_000,
      unknown: 72 * 3_600_000,
    });
  });

  it('reads reconciliation durations and ORDER_SLA as one duration or per type', () => {
    const env = parseEnv({ RECONCILE: 'off', RECONCILE_AFTER: '2s', ORDER_SLA: '3s', ENRICH_MAX_WAIT: '1d' });
    expect(env).toMatchObject({ RECONCILE: false, RECONCILE_AFTER: 2_000, ENRICH_MAX_WAIT: 86_400_000 });
    expect(new Set(Object.values(env.ORDER_SLA))).toEqual(new Set([3_000]));
    expect(parseEnv({ ORDER_SLA: 'activation=1d' }).ORDER_SLA).toMatchObject({ activation: 86_400_000, reservation: 4 * 3_600_000 });
    expect(() => parseEnv({ RECONCILE_AFTER: '2', ORDER_SLA: 'porting=1h' })).toThrow(/RECONCILE_AFTER: "2" is not a duration[\s\S]*ORDER_SLA: "porting=1h"/);
  });

  it('reads CHANNEL_DISABLE_AFTER as a duration (default 3d) or off', () => {
    expect(parseEnv({}).CHANNEL_DISABLE_AFTER).toBe(3 * 86_400_000);
    expect(parseEnv({ CHANNEL_DISABLE_AFTER: '1m' }).CHANNEL_DISABLE_AFTER).toBe(60_000);
    expect(parseEnv({ CHANNEL_DISABLE_AFTER: 'off' }).CHANNEL_DISABLE_AFTER).toBeNull();
    expect(() => parseEnv({ CHANNEL_DISABLE_AFTER: 'soon' })).toThrow(/CHANNEL_DISABLE_AFTER: "soon" is not a duration or off/);
  });

  it('refuses production with Colt credentials and a guessed environment, naming COLT_ENV; warns outside production', () => {
    const base = { NODE_ENV: 'production', CALLBACK_TOKEN: 'a-long-enough-token-value', COLT_CLIENT_ID: 'id', COLT_CLIENT_SECRET: 's' };
    expect(() => parseEnv(base)).toThrow(/COLT_ENV: must be set when NODE_ENV=production/);
    // Only the token URL given: still guessed (the API URL would be the sandbox's).
    expect(() => parseEnv({ ...base, COLT_TOKEN_URL: 'https://apis.colt.net/t' })).toThrow(/COLT_ENV/);
    expect(configWarnings(parseEnv({ ...base, COLT_ENV: 'production' })).join('\n')).not.toMatch(/SANDBOX/);
    const both = { COLT_API_BASE_URL: 'http://127.0.0.1:4010/numberManagement/inbound/v1', COLT_TOKEN_URL: 'http://127.0.0.1:4010/t' };
    expect(() => parseEnv({ ...base, ...both })).not.toThrow();
    expect(() => parseEnv({ ...base, COLT_CLIENT_ID: undefined, COLT_CLIENT_SECRET: undefined })).not.toThrow();
    expect(() => parseEnv(base, { requireColtEnvironment: false })).not.toThrow();
    expect(configWarnings(parseEnv({ ...base, NODE_ENV: 'development' })).join('\n')).toMatch(/COLT_ENV is not set: the Colt SANDBOX/);
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
