/**
 * GET /docs: the OpenAPI document rendered on the server as one self-contained HTML page
 * (inline CSS, no scripts, no external assets), so it works offline and on Workers.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Json = Record<string, unknown>;
type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f7f8fa}
main{max-width:980px;margin:0 auto;padding:24px}
h1{margin:0 0 4px}h2{margin-top:40px;border-bottom:1px solid #d8dce3;padding-bottom:4px}
section.op{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:12px 16px;margin:12px 0}
.method{display:inline-block;min-width:52px;text-align:center;font-weight:700;border-radius:4px;padding:1px 6px;color:#fff;text-transform:uppercase;font-size:13px}
.get{background:#2f7d4f}.post{background:#2a5db0}.put,.patch{background:#9a6a00}.delete{background:#b03a2a}
code,.path{font-family:ui-monospace,Menlo,monospace}.path{font-weight:600;margin-left:8px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;border-top:1px solid #e6e8ec;padding:4px 8px;vertical-align:top}
th{font-size:13px;color:#5b6475}.lock{color:#9a6a00;font-size:13px;margin-left:8px}
nav a{margin-right:12px}a{color:#2a5db0}
`;

/** A short type for a schema: `string`, `EventSummary[]`, `string | null`, `"a" | "b"`. */
export function typeOf(schema: unknown): Html {
  if (!schema || typeof schema !== 'object') return html`any`;
  const s = schema as Json;
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!;
    return html`<a href="#schema-${name}">${name}</a>`;
  }
  if (Array.isArray(s.enum)) return html`${s.enum.map((v) => JSON.stringify(v)).join(' | ')}`;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(s[key])) return join((s[key] as unknown[]).map(typeOf), key === 'allOf' ? ' & ' : ' | ');
  }
  const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [String(s.type)] : [];
  if (types.includes('array')) {
    const rest = types.filter((t) => t !== 'array');
    return html`${typeOf(s.items)}[]${rest.length ? ` | ${rest.join(' | ')}` : ''}`;
  }
  if (types.includes('object') && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return html`map of ${typeOf(s.additionalProperties)}`;
  }
  const format = typeof s.format === 'string' ? ` (${s.format})` : '';
  return html`${types.length ? types.join(' | ') : 'any'}${format}`;
}

/** Text with `code` spans, as the descriptions write them. */
function prose(text: unknown): Html {
  const parts = String(text ?? '').split('`');
  return html`${parts.map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

function join(parts: Html[], separator: string): Html {
  return html`${parts.map((p, i) => (i === 0 ? p : html`${separator}${p}`))}`;
}

function parameters(op: Json): Html {
  const params = (op.parameters as Json[] | undefined) ?? [];
  if (params.length === 0) return html``;
  return html`<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>required</th><th>description</th></tr>
    ${params.map(
      (p) => html`<tr><td><code>${String(p.name)}</code></td><td>${String(p.in)}</td><td>${typeOf(p.schema)}</td>
        <td>${p.required ? 'yes' : 'no'}</td><td>${prose(p.description ?? (p.schema as Json | undefined)?.description)}</td></tr>`,
    )}</table>`;
}

function content(body: Json | undefined): Html {
  const media = (body?.content as Json | undefined) ?? {};
  return join(Object.entries(media).map(([type, m]) => html`<code>${type}</code> ${typeOf((m as Json).schema)}`), '; ');
}

function operation(path: string, method: string, op: Json): Html {
  const secured = Array.isArray(op.security) && (op.security as Json[]).some((s) => Object.keys(s).length > 0);
  const responses = Object.entries((op.responses as Json | undefined) ?? {});
  const body = op.requestBody as Json | undefined;
  return html`<section class="op" id="${method}-${path}">
    <div><span class="method ${method}">${method}</span><span class="path">${path}</span>
    ${secured ? html`<span class="lock">auth: ${(op.security as Json[]).map((s) => Object.keys(s)[0] ?? 'none').join(' or ')}</span>` : ''}</div>
    <p><strong>${prose(op.summary)}</strong>${op.description ? html`<br />${prose(op.description)}` : ''}</p>
    ${parameters(op)}
    ${body ? html`<h4>Request body${body.required ? ' (required)' : ''}</h4><p>${content(body)}</p>` : ''}
    <h4>Responses</h4><table><tr><th>status</th><th>description</th><th>body</th></tr>
    ${responses.map(([status, r]) => html`<tr><td>${status}</td><td>${prose((r as Json).description)}</td><td>${content(r as Json)}</td></tr>`)}
    </table></section>`;
}

function schemaSection(name: string, schema: Json): Html {
  const props = Object.entries((schema.properties as Json | undefined) ?? {});
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return html`<section class="op" id="schema-${name}"><h3>${name}</h3>
    ${schema.description ? html`<p>${prose(schema.description)}</p>` : ''}
    ${props.length
      ? html`<table><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>
        ${props.map(
          ([field, p]) => html`<tr><td><code>${field}</code></td><td>${typeOf(p)}</td><td>${required.has(field) ? 'yes' : 'no'}</td>
            <td>${prose((p as Json).description)}</td></tr>`,
        )}</table>`
      : html`<p>Type: ${typeOf(schema)}</p>`}</section>`;
}

/** The whole page for an OpenAPI document. */
export function renderDocsPage(doc: Json): Html {
  const info = (doc.info as Json | undefined) ?? {};
  const paths = Object.entries((doc.paths as Json | undefined) ?? {});
  const ops = paths.flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Json)[m]).map((m) => ({ path, method: m, op: (item as Json)[m] as Json })),
  );
  const declared = ((doc.tags as { name: string }[] | undefined) ?? []).map((t) => t.name);
  const used = ops.map((o) => ((o.op.tags as string[] | undefined) ?? ['other'])[0]!);
  const tags = [...new Set([...declared.filter((t) => used.includes(t)), ...used])];
  const schemas = Object.entries(((doc.components as Json | undefined)?.schemas as Json | undefined) ?? {});
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${String(info.title ?? 'API')} — API</title><style>${raw(STYLE)}</style></head>
    <body><main><h1>${String(info.title ?? 'API')} <small>${String(info.version ?? '')}</small></h1>
    <p>${prose(info.description)}</p>
    <p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${String(doc.openapi)}).</p>
    <nav>${tags.map((t) => html`<a href="#tag-${t}">${t}</a>`)}<a href="#schemas">schemas</a></nav>
    ${tags.map(
      (tag) => html`<h2 id="tag-${tag}">${tag}</h2>
        ${ops.filter((o) => ((o.op.tags as string[] | undefined) ?? ['other'])[0] === tag).map((o) => operation(o.path, o.method, o.op))}`,
    )}
    <h2 id="schemas">Schemas</h2>${schemas.map(([name, s]) => schemaSection(name, s as Json))}
    </main></body></html>`;
}
