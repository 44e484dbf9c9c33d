/**
 * The documentation stays true to itself: the README is a front door (at most 15,000 bytes),
 * every relative link in the Markdown files reaches a file and, with `#anchor`, a heading of
 * it (GitHub's slugs) or an explicit `<a id>`; the design document holds the `layers` block
 * the import test reads and every anchor the code cites; the operations guide has a runbook
 * per alert; generated documents exist; and no file of the repository refers to documents
 * that live outside it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README_MAX_BYTES = 15_000;
const DESIGN = 'docs/design.md';

/** Files written by a generator, not by hand; they must exist but are checked on their own. */
const GENERATED = ['docs/configuration.md'];

/** The anchors code comments cite as `docs/design.md#<anchor>`. */
const DESIGN_ANCHORS = [
  'pipeline',
  'data-model',
  'http-answers',
  'normalised-event',
  'event-types',
  'rules-file',
  'webhook-format',
  'retries',
  'configuration',
  'command-line',
  'runtimes',
  'workers-lifecycle',
  'scale-out',
  'trust-and-proxies',
  'reconciliation',
  'colt-client',
  'trouble-tickets',
  'notification-controls',
  'grouping',
  'quiet-hours',
  'rate-limits',
  'silences',
  'circuit-breaker',
  'bulk-recovery',
  'runtime-and-packaging',
  'platform-notes',
  'dispatcher',
  'layers',
];

/** The alerts' runbooks: alert rules link them as `docs/operations.md#<alert in lower case>`. */
const RUNBOOK_ANCHORS = [
  'coltrelaydown',
  'coltrelaydeadletters',
  'coltrelaychanneldisabled',
  'coltrelaydeliverieslate',
  'coltrelayordersoverdue',
  'coltrelaycoltunreachable',
  'coltrelaycallbacksrefused',
];

/** Names of documents kept outside the repository; spelled in two parts so this file does not name them. */
const OUTSIDE_DOCUMENTS = ['DESIGN' + '.md', 'colt-api' + '.md'];

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const toPosix = (path: string) => path.split(sep).join('/');

/** README, CHANGELOG, SECURITY, docs/*.md and bench/README.md, as repository paths. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', 'CHANGELOG.md', 'SECURITY.md', 'bench/README.md', ...docs].sort();
}

interface Line {
  text: string;
  /** 1-based. */
  number: number;
}

/** The lines outside fenced code blocks (``` and ~~~), with their numbers. */
function proseLines(markdown: string): Line[] {
  const out: Line[] = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((text, i) => {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (fence === null && opener) {
      fence = opener[1]![0]!.repeat(opener[1]!.length);
      return;
    }
    if (fence !== null) {
      if (new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(text)) fence = null;
      return;
    }
    out.push({ text, number: i + 1 });
  });
  return out;
}

/** GitHub's heading slug: lower case, punctuation other than `-` and `_` dropped, spaces to `-`. */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: heading slugs (duplicates numbered as GitHub does) and `<a id|name>`. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const add = (slug: string) => {
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  };
  const lines = proseLines(markdown);
  lines.forEach((line, i) => {
    const atx = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line.text);
    if (atx) add(githubSlug(atx[1]!));
    const previous = lines[i - 1];
    if (
      /^ {0,3}(=+|-+)[ \t]*$/.test(line.text) &&
      previous !== undefined &&
      previous.number === line.number - 1 &&
      /^ {0,3}[^\s#|>*+-]/.test(previous.text)
    ) {
      add(githubSlug(previous.text));
    }
    for (const m of line.text.matchAll(/<a\s+(?:[^>]*\s)?(?:id|name)=["']([^"']+)["']/gi)) anchors.add(m[1]!);
  });
  return anchors;
}

interface Link {
  file: string;
  line: number;
  target: string;
}

/** Inline links and images, reference definitions and HTML href/src, outside code. */
function linksOf(file: string, markdown: string): Link[] {
  const links: Link[] = [];
  for (const { text, number } of proseLines(markdown)) {
    const prose = text.replace(/(`+)[^`]*?\1/g, ''); // inline code
    for (const m of prose.matchAll(/!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^()\s<>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
      links.push({ file, line: number, target: m[1]! });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose);
    if (definition) links.push({ file, line: number, target: definition[1]! });
    for (const m of prose.matchAll(/<(?:a|img)\s[^>]*(?:href|src)=["']([^"']+)["']/gi)) links.push({ file, line: number, target: m[1]! });
  }
  return links;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/** Why a relative link is broken, or null when it resolves (a generated file counts as present). */
function brokenReason(link: Link, anchorCache: Map<string, Set<string>>): string | null {
  const hash = link.target.indexOf('#');
  const pathPart = decodeURIComponent(hash === -1 ? link.target : link.target.slice(0, hash));
  const anchor = hash === -1 ? null : decodeURIComponent(link.target.slice(hash + 1));
  const absolute = pathPart === '' ? join(ROOT, link.file) : pathPart.startsWith('/') ? join(ROOT, pathPart) : resolve(join(ROOT, dirname(link.file)), pathPart);
  const repoPath = toPosix(relative(ROOT, absolute));
  if (repoPath.startsWith('..')) return `points outside the repository (${repoPath})`;
  if (!existsSync(absolute)) return GENERATED.includes(repoPath) && anchor === null ? null : `no file ${repoPath}`;
  if (anchor === null || anchor === '') return null;
  if (statSync(absolute).isDirectory() || !repoPath.endsWith('.md')) return `#${anchor} on ${repoPath}, which is not a Markdown file`;
  let anchors = anchorCache.get(repoPath);
  if (!anchors) {
    anchors = anchorsOf(readFileSync(absolute, 'utf8'));
    anchorCache.set(repoPath, anchors);
  }
  return anchors.has(anchor) ? null : `no heading or <a id> "${anchor}" in ${repoPath}`;
}

/** Tracked files, and new files not ignored, that exist in the working tree. */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  return [...new Set(out.split('\0').filter(Boolean))].filter((path) => existsSync(join(ROOT, path)) && statSync(join(ROOT, path)).isFile());
}

describe('documentation', () => {
  it(`README.md is at most ${README_MAX_BYTES} bytes`, () => {
    expect(statSync(join(ROOT, 'README.md')).size).toBeLessThanOrEqual(README_MAX_BYTES);
  });

  it('the GitHub slug rules are the ones the link check uses', () => {
    expect(githubSlug('HTTP answers')).toBe('http-answers');
    expect(githubSlug('Scale-out')).toBe('scale-out');
    expect(githubSlug('Order details (enrichment)')).toBe('order-details-enrichment');
    expect(githubSlug('A local Colt: mock-colt')).toBe('a-local-colt-mock-colt');
    expect(githubSlug('`worker` command')).toBe('worker-command');
    expect(githubSlug('0.2.0 — 2026-12-04')).toBe('020--2026-12-04');
    expect([...anchorsOf('# A\n\n## A\n\n```\n# not a heading\n```\n<a id="here"></a>\n')]).toEqual(['a', 'a-1', 'here']);
  });

  it('every relative link in the Markdown files reaches a file, and its #anchor a heading there', () => {
    const files = markdownFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'SECURITY.md', 'bench/README.md', DESIGN, 'docs/troubleshooting.md']));
    const anchorCache = new Map<string, Set<string>>();
    const links = files.flatMap((file) => linksOf(file, read(file))).filter((link) => !isExternal(link.target));
    // The README alone links every docs/ file: the check has something to check.
    expect(links.filter((l) => l.file === 'README.md').length).toBeGreaterThan(10);
    const broken = links
      .map((link) => ({ link, reason: brokenReason(link, anchorCache) }))
      .filter((b) => b.reason !== null)
      .map(({ link, reason }) => `${link.file}:${link.line}  ${link.target}  ${reason}`);
    expect(broken).toEqual([]);
  });

  it('the README links every file in docs/', () => {
    const readme = new Set(linksOf('README.md', read('README.md')).map((l) => l.target.split('#')[0]));
    const docs = [...new Set([...markdownFiles().filter((f) => f.startsWith('docs/')), ...GENERATED])];
    expect(docs.filter((doc) => !readme.has(doc))).toEqual([]);
  });

  it.each(GENERATED)('%s exists (it is generated, not written by hand)', (path) => {
    expect(existsSync(join(ROOT, path)), `${path} is missing: run its generator`).toBe(true);
  });

  it(`${DESIGN} has every anchor the design names`, () => {
    const anchors = anchorsOf(read(DESIGN));
    expect(DESIGN_ANCHORS.filter((anchor) => !anchors.has(anchor))).toEqual([]);
  });

  it('every docs/<file>.md#anchor cited in code, tests, configuration and docs exists', () => {
    const missing: string[] = [];
    for (const path of repositoryFiles()) {
      if (!/\.(ts|tsx|mjs|js|md|toml|ya?ml|json|sh)$/.test(path) && path !== '.ci/run') continue;
      for (const m of read(path).matchAll(/\bdocs\/([\w-]+\.md)#([\w-]+)/g)) {
        const doc = `docs/${m[1]}`;
        if (!existsSync(join(ROOT, doc)) || !anchorsOf(read(doc)).has(m[2]!)) missing.push(`${path}: ${m[0]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('docs/operations.md has a runbook for every alert', () => {
    const anchors = anchorsOf(read('docs/operations.md'));
    expect(RUNBOOK_ANCHORS.filter((anchor) => !anchors.has(anchor))).toEqual([]);
  });

  it(`${DESIGN} holds exactly one \`layers\` block, in its Layers section, naming folders and files of src/`, () => {
    const design = read(DESIGN);
    const blocks = [...design.matchAll(/^```layers[ \t]*\n([\s\S]*?)^```[ \t]*$/gm)];
    expect(blocks).toHaveLength(1);
    const block = blocks[0]!;
    const section = /^## Layers[ \t]*$/m.exec(design);
    expect(section, 'a "## Layers" heading').not.toBeNull();
    const nextSection = design.slice(section!.index + 1).search(/^## /m);
    const sectionEnd = nextSection === -1 ? design.length : section!.index + 1 + nextSection;
    expect(block.index).toBeGreaterThan(section!.index);
    expect(block.index).toBeLessThan(sectionEnd);
    const layers = block[1]!
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => line.split(/\s+/));
    expect(layers.length).toBeGreaterThan(5);
    const entries = layers.flat();
    expect(new Set(entries).size).toBe(entries.length);
    expect(entries.filter((entry) => !existsSync(join(ROOT, 'src', entry)))).toEqual([]);
  });

  it('no file of the repository refers to documents kept outside it', () => {
    const files = repositoryFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'package.json', DESIGN]));
    const offenders: string[] = [];
    for (const path of files) {
      if (path === DESIGN) continue;
      const text = readFileSync(join(ROOT, path)).toString('latin1');
      for (const name of OUTSIDE_DOCUMENTS) if (text.includes(name)) offenders.push(`${path}: ${name}`);
    }
    expect(offenders).toEqual([]);
  });
});
