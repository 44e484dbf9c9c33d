import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_FILE, loadRules } from './rules.js';

const VALID = 'channels:\n  ops: { type: log }\nrules:\n  - name: all\n    notify: [ops]\n';

/** An in-memory file system: unknown paths are "not found". */
function files(entries: Record<string, string>) {
  const read: string[] = [];
  const readFile = async (path: string) => {
    read.push(path);
    return Object.hasOwn(entries, path) ? entries[path]! : null;
  };
  return { readFile, read };
}

describe('loadRules', () => {
  it('prefers RULES text over RULES_FILE and does not read the file', async () => {
    const fs = files({ 'custom.yaml': 'not: valid' });
    const load = await loadRules({ text: VALID, file: 'custom.yaml', env: {}, readFile: fs.readFile });
    expect(load).toMatchObject({ ok: true, source: 'RULES', origin: 'env' });
    expect(fs.read).toEqual([]);
  });

  it('falls back to env.RULES and env.RULES_FILE when no options are given', async () => {
    const fromText = await loadRules({ env: { RULES: VALID }, readFile: files({}).readFile });
    expect(fromText).toMatchObject({ ok: true, origin: 'env' });
    const fromFile = await loadRules({ env: { RULES_FILE: '/etc/relay.yaml' }, readFile: files({ '/etc/relay.yaml': VALID }).readFile });
    expect(fromFile).toMatchObject({ ok: true, origin: 'file', source: '/etc/relay.yaml' });
    if (fromFile.ok) expect(Object.keys(fromFile.rules.channels)).toEqual(['ops']);
  });

  it('uses the built-in rules when the default ./rules.yaml does not exist', async () => {
    for (const file of [undefined, '', DEFAULT_RULES_FILE, 'rules.yaml']) {
      const fs = files({});
      const load = await loadRules({ file, env: {}, readFile: fs.readFile });
      expect(load).toMatchObject({ ok: true, origin: 'default', source: expect.stringMatching(/^built-in default \(.*rules\.yaml not found\)$/) });
      if (load.ok) expect(load.rules.rules.map((r) => r.name)).toEqual(['everything-to-log']);
    }
  });

  it('reads ./rules.yaml when it exists', async () => {
    const load = await loadRules({ env: {}, readFile: files({ './rules.yaml': VALID }).readFile });
    expect(load).toMatchObject({ ok: true, origin: 'file', source: './rules.yaml' });
  });

  it('reports a configured file that is missing or unreadable', async () => {
    const missing = await loadRules({ file: 'prod.yaml', env: {}, readFile: files({}).readFile });
    expect(missing).toEqual({
      ok: false,
      problems: [{ path: '', message: 'rules file prod.yaml does not exist' }],
      source: 'prod.yaml',
      origin: 'file',
    });
    const unreadable = await loadRules({
      file: 'prod.yaml',
      env: {},
      readFile: () => Promise.reject(new Error('EACCES: permission denied')),
    });
    expect(unreadable).toMatchObject({ ok: false, problems: [{ message: 'cannot read prod.yaml: EACCES: permission denied' }] });
  });

  it('interpolates from env and reports problems with the source', async () => {
    const text = 'channels:\n  ops: { type: slack, channel: ${SLACK_CHANNEL} }\nrules: []\n';
    const load = await loadRules({ text, env: {}, readFile: files({}).readFile });
    expect(load).toMatchObject({
      ok: false,
      source: 'RULES',
      problems: [{ line: 2, path: 'channels.ops.channel', message: 'environment variable SLACK_CHANNEL is not set' }],
    });
    const set = await loadRules({ text, env: { SLACK_CHANNEL: 'C42' }, readFile: files({}).readFile });
    expect(set.ok && set.rules.channels.ops).toEqual({ type: 'slack', channel: 'C42' });
  });
});

describe('parseRules memo', () => {
  it('returns the same compiled rules for the same text and environment, and re-parses when either changes', async () => {
    const { parseRules } = await import('./rules.js');
    const text = 'channels:\n  c: { type: log, text: "${GREETING} {{orderId}}" }\nrules:\n  - name: all\n    notify: [c]\n';
    const a = parseRules(text, { GREETING: 'hi' });
    expect(parseRules(text, { GREETING: 'hi' })).toBe(a);
    const b = parseRules(text, { GREETING: 'hello' });
    expect(b).not.toBe(a);
    expect(b.ok && b.rules.channels.c).toMatchObject({ text: 'hello {{orderId}}' });
  });
});
