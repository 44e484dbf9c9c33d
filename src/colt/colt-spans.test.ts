import { describe, expect, it } from 'vitest';
import { coltUrlTemplate } from './colt-spans.js';
import { coltEndpoints } from './endpoints.js';

const endpoints = coltEndpoints('production');

describe('coltUrlTemplate (the name of a Colt CLIENT span)', () => {
  it('names the token request by its path and GET /order by its template, whatever the order id', () => {
    expect(coltUrlTemplate(endpoints.tokenUrl, endpoints)).toBe('/authentication/v1/oauth/token');
    expect(coltUrlTemplate(`${endpoints.apiBaseUrl}/order/IN-ORD-42`, endpoints)).toBe('/order/{orderId}');
    expect(coltUrlTemplate(`${endpoints.apiBaseUrl}/order/a%2Fb?x=1`, endpoints)).toBe('/order/{orderId}');
    expect(coltUrlTemplate(`${endpoints.apiBaseUrl}/numberCollection?country=FR`, endpoints)).toBe('/numberCollection');
  });

  it('keeps other URLs (the ticket API) low-cardinality: ids as {id}, API versions kept', () => {
    expect(coltUrlTemplate('https://tickets.example.com/tmf-api/troubleTicket/v4/troubleTicket', endpoints)).toBe('/tmf-api/troubleTicket/v4/troubleTicket');
    expect(coltUrlTemplate('https://tickets.example.com/troubleTicket/TT-1234', endpoints)).toBe('/troubleTicket/{id}');
    expect(coltUrlTemplate('https://tickets.example.com/v1.2/troubleTicket/8812/note', endpoints)).toBe('/v1.2/troubleTicket/{id}/note');
    expect(coltUrlTemplate('not a url', endpoints)).toBeUndefined();
  });
});
