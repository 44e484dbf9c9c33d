import { describe, expect, it } from 'vitest';
import { ColtTokenError, adviceForTokenError, normaliseErrorCode, parseColtErrorBody, TOKEN_ERRORS } from './colt-errors.js';

describe('parseColtErrorBody', () => {
  it('reads TMF fields', () => {
    const text = JSON.stringify({ code: '404', reason: 'Not Found', message: 'no order', status: '404', referenceError: 'https://x', extra: 1 });
    expect(parseColtErrorBody(text)).toEqual({ code: '404', reason: 'Not Found', message: 'no order', status: '404', referenceError: 'https://x' });
  });

  it('unwraps error and errors[0], turns numbers into text', () => {
    expect(parseColtErrorBody('{"error":{"code":4,"message":"m"}}')).toEqual({ code: '4', message: 'm' });
    expect(parseColtErrorBody('{"errors":[{"code":"001","reason":"r"}]}')).toEqual({ code: '001', reason: 'r' });
  });

  it.each(['<html>502 Bad Gateway</html>', '', 'null', '"text"', '[1]', '{"code":'])('never throws on %j', (text) => {
    expect(parseColtErrorBody(text)).toEqual({});
  });
});

describe('token errors', () => {
  it('every documented code has meaning and next step', () => {
    expect(Object.keys(TOKEN_ERRORS).sort()).toEqual(
      ['400-001', '400-002', '400-003', '400-004', '400-005', '400-006', '401-001', '401-002', '415-001', '500-001', '500-002', '503-001'].sort(),
    );
  });

  it('codes are normalised to three digits', () => {
    expect(normaliseErrorCode('4')).toBe('004');
    expect(normaliseErrorCode('E-4021')).toBe('E-4021');
    expect(adviceForTokenError(400, '4').meaning).toBe('missing tracking header');
  });

  it.each([
    [400, '004', false, 'missing tracking header'],
    [401, '002', false, 'authentication method other than Basic'],
    [415, '001', false, 'body format not supported'],
    [500, '002', true, 'the OAuth server failed to generate a token'],
    [503, '001', true, 'backend unavailable'],
    [401, 'invalid_client', false, 'token invalid or expired, or client id/secret/application id invalid'],
  ])('HTTP %i code %s → retryable %s, %s', (status, code, retryable, meaning) => {
    const error = new ColtTokenError({ status, code, trackingId: 't-1' });
    expect(error).toMatchObject({ status, retryable, meaning });
    expect(error.message).toContain(meaning);
    expect(error.message).toContain('t-1');
    expect(error.nextStep.length).toBeGreaterThan(5);
  });

  it('no response is retryable with status 0', () => {
    const error = new ColtTokenError({ status: 0, trackingId: 't', meaning: 'timeout after 10 ms' });
    expect(error).toMatchObject({ status: 0, code: null, retryable: true, meaning: 'timeout after 10 ms' });
  });
});
