import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from './env.js';
import { spanUrl } from './secrets.js';
import { tracingSettings } from './tracing.js';

const settings = (env: Record<string, string>) => tracingSettings(parseEnv(env));

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('tracingSettings (the standard OTEL_* variables)', () => {
  it('is off without an endpoint, with OTEL_SDK_DISABLED=true and with OTEL_TRACES_EXPORTER=none', () => {
    expect(settings({})).toBeNull();
    expect(settings({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' })).toBeNull();
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeNull();
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  });

  it('appends v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT and takes OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is', () => {
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })?.url).toBe('http://collector:4318/v1/traces');
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com/base/' })?.url).toBe('https://otlp.example.com/base/v1/traces');
    expect(
      settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/ingest' })?.url,
    ).toBe('https://traces.example.com/ingest');
  });

  it('defaults to http/protobuf, the whole trace always kept, service colt-relay', () => {
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      timeoutMs: 10_000,
      serviceName: 'colt-relay',
      resourceAttributes: {},
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
  });

  it('reads protocol, headers (percent-decoded, per-signal winning), resource and sampler', () => {
    const s = settings({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-tenant=t1',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=t2',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes,deployment.environment.name=prod%20eu',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(s).toMatchObject({
      protocol: 'http/json',
      headers: { authorization: 'Bearer abc', 'x-tenant': 't2' },
      serviceName: 'from-attributes',
      resourceAttributes: { 'deployment.environment.name': 'prod eu' },
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
    });
    // OTEL_SERVICE_NAME wins over service.name in the attributes, as the specification says.
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SERVICE_NAME: 'relay-eu', OTEL_RESOURCE_ATTRIBUTES: 'service.name=x' })?.serviceName).toBe(
      'relay-eu',
    );
  });

  it('refuses what it cannot do, naming the variable and the fix, never quoting a header value', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL: gRPC export is not built in: use http/protobuf (the default, port 4318 on a collector) or http/json',
    ]);
    expect(problems({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })[0]).toMatch(/^OTEL_TRACES_SAMPLER: /);
    expect(problems({ OTEL_TRACES_SAMPLER_ARG: '1.5' })).toEqual([
      'OTEL_TRACES_SAMPLER_ARG: "1.5" is not a sampling ratio: use a number from 0 to 1 (e.g. 0.25)',
    ]);
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT: must be a URL starting with http:// or https://']);
    const bad = problems({ OTEL_EXPORTER_OTLP_HEADERS: 'Bearer s3cr3t-value' });
    expect(bad).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS: expected comma-separated key=value pairs (values percent-encoded), e.g. authorization=Bearer%20<token>',
    ]);
    expect(problems({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=%E0%A4%A' })[0]).not.toContain('%E0');
  });
});

describe('spanUrl (url.full without secrets)', () => {
  it('replaces user info and every query value, keeps host, port and path', () => {
    expect(spanUrl('https://user:pa55@api.example.com:8443/v1/order/ORD-1?apikey=k3y&x=1#frag')).toBe(
      'https://REDACTED:REDACTED@api.example.com:8443/v1/order/ORD-1?apikey=REDACTED&x=REDACTED',
    );
    expect(spanUrl('http://127.0.0.1:9000/plain')).toBe('http://127.0.0.1:9000/plain');
  });

  it('hides a webhook path (it may be the receiver token) and shows an unparsable URL as REDACTED', () => {
    expect(spanUrl('https://hooks.example.com/T000/B000/XXXXsecret', { pathIsSecret: true })).toBe('https://hooks.example.com/REDACTED');
    expect(spanUrl('https://hooks.example.com/', { pathIsSecret: true })).toBe('https://hooks.example.com/');
    expect(spanUrl('not a url')).toBe('REDACTED');
  });
});
