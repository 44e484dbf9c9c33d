import { afterEach, describe, expect, it, vi } from 'vitest';
import { REDACT_PATHS } from '../../../lib/logger.js';
import pino from './pino.js';

/** The JSON lines written to console.log/warn/error while `run` runs. */
function captured(run: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  for (const method of ['log', 'warn', 'error'] as const) vi.spyOn(console, method).mockImplementation((line: string) => lines.push(line));
  run();
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the Workers stand-in for pino', () => {
  it('censors every path the relay redacts, keeps the rest, and does not touch the caller object', () => {
    const logger = pino({ level: 'info', base: { service: 'colt-relay' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
    const fields = {
      token: 't0ken-secret',
      colt: { clientSecret: 's3cret', clientId: 'id-1', accessToken: 'at' },
      headers: { authorization: 'Bearer x', cookie: 'c=1', 'x-callback-token': 'xt', accept: 'json' },
      req: { headers: { authorization: 'Basic y' } },
    };
    const [line] = captured(() => logger.info(fields, 'hello'));
    expect(line).toMatchObject({
      level: 30,
      service: 'colt-relay',
      msg: 'hello',
      token: '[redacted]',
      colt: { clientSecret: '[redacted]', clientId: 'id-1', accessToken: '[redacted]' },
      headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-callback-token': '[redacted]', accept: 'json' },
      req: { headers: { authorization: '[redacted]' } },
    });
    expect(JSON.stringify(line)).not.toMatch(/secret"|Bearer|Basic|t0ken/);
    expect(fields.headers.authorization).toBe('Bearer x');
  });

  it('drops records under the level, keeps child bindings, and writes errors to console.error', () => {
    const logger = pino({ level: 'warn' });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const lines = captured(() => {
      logger.info('not shown');
      logger.child({ channel: 'ops' }).warn({ err: new Error('boom') }, 'failed');
    });
    expect(lines).toEqual([expect.objectContaining({ level: 40, channel: 'ops', msg: 'failed', err: { type: 'Error', message: 'boom' } })]);
    expect(error).not.toHaveBeenCalled();
    expect(pino({ level: 'silent' }).isLevelEnabled('fatal')).toBe(false);
  });
});

describe('hooks.streamWrite', () => {
  it('rewrites each line before it is written, children included (the relay scrubs secrets there)', () => {
    const logger = pino({ level: 'info', hooks: { streamWrite: (line) => line.replaceAll('hunter2-secret', '[redacted]') } });
    const lines = captured(() => {
      logger.warn({ reason: 'failed: http://u:hunter2-secret@host/' }, 'call failed');
      logger.child({ channel: 'ops' }).error('hunter2-secret in a message');
    });
    expect(lines).toMatchObject([{ reason: 'failed: http://u:[redacted]@host/' }, { channel: 'ops', msg: '[redacted] in a message' }]);
  });
});
