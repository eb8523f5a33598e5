/**
 * The readable page of the OpenAPI document (/api/docs): rendered on the server from the same
 * document as /api/openapi.json — no script, prints well, works without network access.
 */
import type { OpenApiDocument } from './routes.ts';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Json {
  [k: string]: unknown;
}

/** A schema in one line where it is short: string, integer ≥ 0, one of …, PeriodFigures, … */
function typeText(s: Json | undefined): string {
  if (!s) return '';
  if (typeof s.$ref === 'string') {
    const id = s.$ref.split('/').pop()!;
    return `<a href="#schema-${esc(id)}">${esc(id)}</a>`;
  }
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => `<code>${esc(v)}</code>`).join(', ')}${s.default !== undefined ? ` (default <code>${esc(s.default)}</code>)` : ''}`;
  if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).map(typeText).join(' or ');
  const t = Array.isArray(s.type) ? (s.type as string[]).join(' or ') : String(s.type ?? 'any');
  if (t.startsWith('array')) return `list of ${typeText(s.items as Json)}`;
  if (t === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') return `map of name → ${typeText(s.additionalProperties as Json)}`;
  const extra: string[] = [];
  if (typeof s.pattern === 'string') extra.push(`pattern <code>${esc(s.pattern)}</code>`);
  if (s.default !== undefined) extra.push(`default <code>${esc(JSON.stringify(s.default))}</code>`);
  if (typeof s.maxLength === 'number') extra.push(`at most ${s.maxLength} characters`);
  return `${esc(t)}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

function schemaTable(s: Json): string {
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  if (Object.keys(props).length === 0) return `<p>${typeText(s)}</p>`;
  return `<table><thead><tr><th>Field</th><th>Type</th><th>Meaning</th></tr></thead><tbody>${Object.entries(props)
    .map(([name, p]) => `<tr><td><code>${esc(name)}</code>${required.has(name) ? '' : ' <span class="opt">optional</span>'}</td><td>${typeText(p)}</td><td>${esc(p.description ?? '')}</td></tr>`)
    .join('')}</tbody></table>`;
}

const ACCESS: Record<string, string> = {
  public: 'anyone',
  wallboard: 'wallboard or manager token (open while WALLBOARD_TOKENS is not set)',
  manager: 'manager token',
  agent: "that agent's token, or a manager token",
};

export function docsPage(doc: OpenApiDocument): string {
  const ops: string[] = [];
  const toc: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const op = raw as Json;
      const anchor = `op-${esc(op.operationId)}`;
      toc.push(`<li><a href="#${anchor}"><code>${method.toUpperCase()} ${esc(path)}</code></a> — ${esc(op.summary)}</li>`);
      const params = (op.parameters ?? []) as Json[];
      const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
      const responses = op.responses as Record<string, Json>;
      ops.push(`<section class="op" id="${anchor}">
        <h3><span class="method">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
        <p>${esc(op.summary)}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}
        <p class="access"><b>Who:</b> ${esc(ACCESS[String(op['x-belofte-access'])] ?? '')}</p>
        ${params.length ? `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Meaning</th></tr></thead><tbody>${params
          .map((p) => `<tr><td><code>${esc(p.name)}</code>${p.required ? '' : ' <span class="opt">optional</span>'}</td><td>${esc(p.in)}</td><td>${typeText(p.schema as Json)}</td><td>${esc(p.description ?? '')}</td></tr>`)
          .join('')}</tbody></table>` : ''}
        ${body ? `<h4>Body (JSON)</h4><p>${typeText(body['application/json']?.schema as Json)}</p>` : ''}
        <h4>Responses</h4><ul>${Object.entries(responses)
          .map(([status, r]) => {
            const content = (r.content ?? {}) as Record<string, Json>;
            const forms = Object.entries(content).map(([type, c]) => `<code>${esc(type)}</code> ${typeText(c.schema as Json)}`).join('; ');
            return `<li><b>${esc(status)}</b> ${esc(r.description)}${forms ? ` — ${forms}` : ''}</li>`;
          })
          .join('')}</ul>
      </section>`);
    }
  }
  const schemas = Object.entries(doc.components.schemas as Record<string, Json>)
    .map(([id, s]) => `<section class="schema" id="schema-${esc(id)}"><h3>${esc(id)}</h3>${s.description ? `<p>${esc(s.description)}</p>` : ''}${schemaTable(s)}</section>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} — API</title>
<style>
  body { font: 15px/1.5 system-ui, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1f24; background: #fff; max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
  h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 2px solid #d0d7de; padding-bottom: 0.2rem; margin-top: 2.5rem; }
  code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; background: #f3f5f7; padding: 0 0.25em; border-radius: 3px; }
  table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; } th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #e3e7eb; padding: 0.3rem 0.5rem; }
  th { background: #f6f8fa; } .method { background: #0b5cad; color: #fff; border-radius: 4px; padding: 0.05em 0.45em; font-size: 0.85em; }
  .op { border: 1px solid #d0d7de; border-radius: 6px; padding: 0.2rem 1rem 0.5rem; margin: 1rem 0; break-inside: avoid; } .opt { color: #6a737d; font-size: 0.85em; }
  .access { background: #fff8e1; padding: 0.2rem 0.5rem; border-radius: 4px; } a { color: #0b5cad; }
  @media print { body { max-width: none; font-size: 11pt; } a { color: inherit; text-decoration: none; } }
</style></head><body>
<h1>${esc(doc.info.title)}</h1><p>Version ${esc(doc.info.version)} · <a href="/api/openapi.json">openapi.json</a> (OpenAPI ${esc(doc.openapi)})</p>
${doc.info.description.split('\n\n').map((p) => `<p>${esc(p)}</p>`).join('')}
<h2>Endpoints</h2><ul>${toc.join('')}</ul>
${ops.join('')}
<h2>Schemas</h2>${schemas}
</body></html>`;
}
