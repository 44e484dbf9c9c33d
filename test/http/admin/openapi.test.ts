/** /openapi.json is a valid OpenAPI 3.1 document of every route; /docs renders it with no external assets. */
import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminHarness, type AdminHarness } from './support.js';

const OPERATIONS = [
  'post /callbacks/colt',
  'post /callbacks/colt/{token}',
  'post /callbacks/colt/tickets',
  'get /healthz',
  'get /readyz',
  'get /metrics',
  'get /api/events',
  'get /api/events/{id}',
  'post /api/events/{id}/replay',
  'get /api/orders',
  'get /api/orders/open',
  'get /api/orders/{orderId}',
  'get /api/deliveries',
  'get /api/deliveries/{id}',
  'post /api/deliveries/{id}/retry',
  'post /api/deliveries/retry',
  'get /api/rejected',
  'get /api/channels',
  'post /api/channels/{name}/disable',
  'post /api/channels/{name}/enable',
  'get /api/silences',
  'post /api/silences',
  'delete /api/silences/{id}',
  'get /api/rules',
  'post /api/rules/dry-run',
  'post /api/prune',
  'get /api/colt/credentials',
];

describe('OpenAPI document and docs page', () => {
  let h: AdminHarness;
  let doc: any;
  beforeAll(async () => {
    h = await createAdminHarness('pglite');
    const res = await h.app.request('/openapi.json');
    expect(res.status).toBe(200);
    doc = await res.json();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc));
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.valid).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('would notice an invalid document (the validator is not a rubber stamp)', async () => {
    const broken = structuredClone(doc);
    broken.paths['/api/events'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
    expect((await validate(broken)).valid).toBe(false);
  });

  it('describes exactly the receiver, health, metrics and admin operations', () => {
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(operations.sort()).toEqual([...OPERATIONS].sort());
  });

  it('secures every /api operation with the bearer scheme and documents the error shape', () => {
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message']);
    for (const op of OPERATIONS.filter((o) => o.includes(' /api/'))) {
      const [method, path] = op.split(' ') as [string, string];
      const operation = doc.paths[path][method];
      expect(operation.security, op).toEqual([{ adminToken: [] }]);
      expect(operation.responses['401'].content['application/json'].schema, op).toEqual({ $ref: '#/components/schemas/Error' });
    }
    expect(doc.paths['/callbacks/colt'].post.responses['413'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
  });

  it('generates request parameters from the validating schemas', () => {
    const params = doc.paths['/api/events'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    expect(params).toEqual(['query:orderId', 'query:status', 'query:stale', 'query:from', 'query:to', 'query:limit', 'query:cursor']);
    const status = doc.paths['/api/deliveries'].get.parameters.find((p: { name: string }) => p.name === 'status');
    expect(status.schema.enum).toEqual(['pending', 'grouped', 'sending', 'delivered', 'retrying', 'dead', 'suppressed']);
    expect(doc.paths['/api/events/{id}'].get.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
  });

  it('renders /docs as self-contained HTML: every operation and schema, no script or stylesheet from elsewhere', async () => {
    const res = await h.app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(page).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
    for (const op of OPERATIONS) {
      const [method, path] = op.split(' ') as [string, string];
      expect(page, op).toContain(`<span class="method ${method}">${method}</span><span class="path">${path}</span>`);
    }
    for (const schema of ['EventDetail', 'DeliveryWithAttempts', 'Error', 'Channel', 'DryRunResult']) {
      expect(page).toContain(`id="schema-${schema}"`);
    }
  });
});
