import { describe, expect, it } from 'vitest';
import { coltEndpoints, resolveColtEndpoints } from './endpoints.js';

describe('coltEndpoints', () => {
  it('production and sandbox', () => {
    expect(coltEndpoints('production')).toEqual({
      apiBaseUrl: 'https://apis.colt.net/numberManagement/inbound/v1',
      tokenUrl: 'https://apis.colt.net/authentication/v1/oauth/token',
    });
    expect(coltEndpoints('sandbox')).toEqual({
      apiBaseUrl: 'https://sandbox.apis.colt.net/numberManagement/inbound/v1',
      tokenUrl: 'https://sandbox.apis.colt.net/authentication/v1/oauth/token',
    });
  });

  it('overrides replace one URL each; empty overrides are ignored', () => {
    expect(resolveColtEndpoints('production', { apiBaseUrl: 'http://127.0.0.1:1/api/' })).toEqual({
      apiBaseUrl: 'http://127.0.0.1:1/api',
      tokenUrl: 'https://apis.colt.net/authentication/v1/oauth/token',
    });
    expect(resolveColtEndpoints('sandbox', { tokenUrl: 'http://t/token', apiBaseUrl: '' }).tokenUrl).toBe('http://t/token');
    expect(resolveColtEndpoints('sandbox', { apiBaseUrl: '' }).apiBaseUrl).toBe('https://sandbox.apis.colt.net/numberManagement/inbound/v1');
  });
});
