/**
 * One table of routes that both serves and documents the API. Every route names who may call
 * it, and the zod schemas of its path, query and body; `add` registers the hono handler behind
 * the access check and the validation, and `document()` turns the very same table into the
 * OpenAPI 3.1 document. A route cannot be served without being documented, or documented with
 * parameters it does not check.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { bearerToken, type Authority, type Need, type Principal } from '../auth/tokens.ts';
import { inputs, outputs } from '../schemas/registry.ts';

export type Access = 'public' | 'wallboard' | 'supervisor' | 'manager' | 'agent';
type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface ResponseSpec {
  description: string;
  /** A registered output schema (JSON), or a content type with a plain description. */
  schema?: z.ZodType;
  contentType?: 'application/json' | 'text/csv; charset=utf-8' | 'text/html; charset=utf-8';
  /** Another form of the same response (e.g. CSV with format=csv), described in words. */
  also?: { contentType: 'text/csv; charset=utf-8'; description: string };
}

export interface RouteSpec<P extends AnyObject | undefined = AnyObject | undefined, Q extends AnyObject | undefined = AnyObject | undefined, B extends z.ZodType | undefined = z.ZodType | undefined> {
  method: 'get' | 'patch';
  /** OpenAPI form: /api/breaches/{id}. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** Who may call it; for `agent` the path parameter `id` is the agent id (a manager may too). */
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, ResponseSpec>;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface Input<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  principal: Principal | null;
}

export class BadRequest extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/** The 400 body for a refused parameter: names it, says what it must be. */
export function badRequest(c: Context, parameter: string, message: string): Response {
  const text = message.startsWith(parameter) ? message : `${parameter}: ${message}`;
  return c.json({ error: 'bad_request', message: text, parameter }, 400);
}

function describeIssue(issue: z.core.$ZodIssue, where: 'query' | 'path' | 'body', shape: z.ZodRawShape | undefined, raw: unknown): { parameter: string; message: string } {
  if (issue.code === 'unrecognized_keys') {
    const known = shape ? Object.keys(shape).join(', ') : 'none';
    return { parameter: issue.keys[0]!, message: `unknown ${where === 'body' ? 'field' : 'parameter'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; this endpoint takes ${known}` };
  }
  const parameter = issue.path.length ? issue.path.map(String).join('.') : where;
  let value: unknown = raw;
  for (const k of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
  if (issue.code === 'invalid_type' && value === undefined) return { parameter, message: 'is required' };
  return { parameter, message: issue.message };
}

const NEED: Record<Exclude<Access, 'agent'>, Need> = { public: { kind: 'public' }, wallboard: { kind: 'wallboard' }, supervisor: { kind: 'supervisor' }, manager: { kind: 'manager' } };

export class ApiRoutes {
  readonly app = new Hono();
  readonly specs: RouteSpec[] = [];

  constructor(private readonly authority: Authority) {}

  /** Documents a route served elsewhere (the WebSocket upgrade, the pages). */
  describe(spec: RouteSpec): void {
    this.check(spec);
    this.specs.push(spec);
  }

  add<P extends AnyObject | undefined, Q extends AnyObject | undefined, B extends z.ZodType | undefined>(
    spec: RouteSpec<P, Q, B>,
    handler: (input: Input<P, Q, B>, c: Context) => Response | Promise<Response>,
  ): void {
    this.check(spec as RouteSpec);
    this.specs.push(spec as RouteSpec);
    const honoPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
    this.app.on(spec.method.toUpperCase(), honoPath, async (c) => {
      let params: unknown;
      if (spec.params) {
        const r = spec.params.safeParse(c.req.param());
        if (!r.success) {
          const d = describeIssue(r.error.issues[0]!, 'path', spec.params.shape, c.req.param());
          return badRequest(c, d.parameter, d.message);
        }
        params = r.data;
      }
      const need: Need = spec.access === 'agent' ? { kind: 'agent', agent: (params as { id: string }).id } : NEED[spec.access];
      const decision = this.authority.decide(bearerToken(c.req.header('authorization')), need);
      if (!decision.ok) return c.json({ error: decision.error, message: decision.message }, decision.status);

      let query: unknown;
      if (spec.query) {
        const all = c.req.queries();
        const repeated = Object.entries(all).find(([, v]) => v.length > 1);
        if (repeated) return badRequest(c, repeated[0], 'is given more than once');
        const flat = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v[0]]));
        const r = spec.query.safeParse(flat);
        if (!r.success) {
          const d = describeIssue(r.error.issues[0]!, 'query', spec.query.shape, flat);
          return badRequest(c, d.parameter, d.message);
        }
        query = r.data;
      }
      let body: unknown;
      if (spec.body) {
        if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) return badRequest(c, 'body', 'must be JSON, sent with Content-Type: application/json');
        let raw: unknown;
        try {
          raw = await c.req.json();
        } catch {
          return badRequest(c, 'body', 'is not valid JSON');
        }
        const r = spec.body.safeParse(raw);
        if (!r.success) {
          const d = describeIssue(r.error.issues[0]!, 'body', spec.body instanceof z.ZodObject ? spec.body.shape : undefined, raw);
          return badRequest(c, d.parameter, d.message);
        }
        body = r.data;
      }
      try {
        return await handler({ params, query, body, principal: decision.principal } as Input<P, Q, B>, c);
      } catch (e) {
        if (e instanceof BadRequest) return badRequest(c, e.parameter, e.message);
        throw e;
      }
    });
  }

  private check(spec: RouteSpec): void {
    for (const [status, r] of Object.entries(spec.responses)) {
      if (r.schema && !outputs.has(r.schema)) throw new Error(`${spec.operationId}: the ${status} response schema must be registered in outputs`);
    }
    if (spec.access === 'agent' && !spec.params?.shape.id) throw new Error(`${spec.operationId}: an agent route needs the path parameter id`);
  }

  /** The OpenAPI 3.1 document of every route added or described. */
  document(info: { title: string; version: string; description: string }): OpenApiDocument {
    const uri = (id: string) => `#/components/schemas/${id}`;
    const clean = (s: Record<string, unknown>) => {
      const { $schema: _s, $id: _i, ...rest } = s;
      return rest;
    };
    const schemas: Record<string, unknown> = {};
    for (const [id, s] of Object.entries(z.toJSONSchema(outputs, { uri, io: 'output' }).schemas)) schemas[id] = clean(s as Record<string, unknown>);
    for (const [id, s] of Object.entries(z.toJSONSchema(inputs, { uri, io: 'input' }).schemas)) schemas[id] = clean(s as Record<string, unknown>);
    const refOf = (schema: z.ZodType) => {
      const meta = outputs.get(schema) ?? inputs.get(schema);
      if (!meta) throw new Error('schema not registered');
      return { $ref: uri(meta.id) };
    };
    const paramList = (obj: AnyObject | undefined, where: 'query' | 'path') =>
      obj
        ? Object.entries(obj.shape).map(([name, s]) => {
            const json = clean(z.toJSONSchema(s as z.ZodType, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);
            const { description, ...schema } = json as { description?: string };
            return { name, in: where, required: where === 'path' || !(s as z.ZodType).safeParse(undefined).success, description, schema };
          })
        : [];
    const paths: Record<string, Record<string, unknown>> = {};
    for (const spec of this.specs) {
      const responses: Record<string, unknown> = {};
      for (const [status, r] of Object.entries(spec.responses)) {
        const type = r.contentType ?? 'application/json';
        const content: Record<string, unknown> = {};
        if (r.schema) content[type] = { schema: refOf(r.schema) };
        else if (type !== 'application/json') content[type] = { schema: { type: 'string' } };
        if (r.also) content[r.also.contentType] = { schema: { type: 'string', description: r.also.description } };
        responses[status] = { description: r.description, ...(Object.keys(content).length ? { content } : {}) };
      }
      if (spec.params || spec.query || spec.body) responses['400'] ??= { description: 'A parameter is refused: the message names it.', content: { 'application/json': { schema: { $ref: uri('Error') } } } };
      if (spec.access !== 'public') {
        responses['401'] ??= { description: 'No token, or one that is not recognised.', content: { 'application/json': { schema: { $ref: uri('Error') } } } };
        responses['403'] ??= { description: 'A token of another role or another agent; or no tokens of this role configured (not_configured).', content: { 'application/json': { schema: { $ref: uri('Error') } } } };
      }
      paths[spec.path] ??= {};
      paths[spec.path]![spec.method] = {
        operationId: spec.operationId,
        tags: [spec.tag],
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        'x-belofte-access': spec.access,
        security: spec.access === 'public' ? [] : spec.access === 'wallboard' ? [{ bearer: [] }, {}] : [{ bearer: [] }],
        parameters: [...paramList(spec.params, 'path'), ...paramList(spec.query, 'query')],
        ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: refOf(spec.body) } } } } : {}),
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info,
      tags: [...new Set(this.specs.map((s) => s.tag))].map((name) => ({ name })),
      paths,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <token>. WebSockets carry it as ?token=<token>.' },
        },
        schemas,
      },
    };
  }
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, unknown>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
}
