import { describe, expect, it } from 'vitest';
import { safeUrlPrefix } from './format.js';

describe('safeUrlPrefix', () => {
  it('tells two webhooks on one origin apart by their leading path words', () => {
    expect(safeUrlPrefix('http://127.0.0.1:4030/oss/hook')).toBe('http://127.0.0.1:4030/oss/…');
    expect(safeUrlPrefix('http://127.0.0.1:4030/crm/hook')).toBe('http://127.0.0.1:4030/crm/…');
    expect(safeUrlPrefix('https://oss.example.com/api/v2/colt/events/in')).toBe('https://oss.example.com/api/v2/colt/…');
  });

  it('never shows user info, the query, the last segment or anything that looks like a token', () => {
    expect(safeUrlPrefix('https://u:p4ss@oss.example.com:8443/hooks/in?token=s3cret')).toBe('https://oss.example.com:8443/hooks/…');
    expect(safeUrlPrefix('https://hooks.slack.com/services/T024BE7LD/B01ABCDEF/XXXXXXXXXXXXXXXXXXXXXXXX')).toBe('https://hooks.slack.com/services/…');
    expect(safeUrlPrefix('https://discord.com/api/webhooks/1234567890/abcdefTOKEN')).toBe('https://discord.com/api/webhooks/…');
    expect(safeUrlPrefix('https://h.example.com/a1b2c3d4e5/hook')).toBe('https://h.example.com/…');
    expect(safeUrlPrefix('https://h.example.com/0f8fad5b-d9cb-469f-a165-70867728950e/x')).toBe('https://h.example.com/…');
    expect(safeUrlPrefix('https://h.example.com/hook')).toBe('https://h.example.com/…');
    expect(safeUrlPrefix('https://h.example.com')).toBe('https://h.example.com/…');
    expect(safeUrlPrefix('not a url')).toBe('(invalid URL)');
  });
});
