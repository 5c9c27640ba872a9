/**
 * Route schemas without code generation at start-up.
 *
 * Every node is a worker thread with its own V8 isolate, so whatever fastify compiles at start-up is
 * compiled once per node: with ajv validators, fast-json-stringify serializers and @fastify/swagger a node
 * took ~310 ms of CPU to build its server, without them ~50 ms (measured on the 2-core machine; 64 nodes must
 * start in ≤ 5 s). So route schemas here are data: querystrings and path parameters are checked (and
 * coerced) by the small interpreter below, bodies by our own decoders (which give consensus reason codes),
 * answers go out with JSON.stringify, and `/openapi.json` is generated from the same schemas.
 *
 * The document is OpenAPI 3.1.0, whose schemas are JSON Schema 2020-12 (type lists like `['integer', 'null']`,
 * a numeric `exclusiveMinimum`; OpenAPI 3.0 allows neither). Examples live in the schemas as JSON Schema's
 * `examples` (never 3.0's `example`, which 2020-12 does not know); the document lifts the first one to the
 * parameter's or body's `example`, where Postman and Swagger UI look for it.
 */
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';

export interface ScalarSchema {
  readonly type?: 'integer' | 'number' | 'boolean' | 'string';
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly default?: unknown;
  readonly description?: string;
  readonly examples?: readonly unknown[];
}

export interface ObjectSchema {
  readonly type: 'object';
  readonly properties?: Record<string, ScalarSchema>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
}

class ValidationError extends Error {
  readonly validation = true;
  readonly statusCode = 400;
}

function coerce(name: string, raw: unknown, s: ScalarSchema): unknown {
  let v: unknown = raw;
  if (s.type === 'integer' || s.type === 'number') {
    const n =
      typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
    if (!Number.isFinite(n) || (s.type === 'integer' && !Number.isInteger(n))) {
      throw new ValidationError(
        `${name} must be ${s.type === 'integer' ? 'an integer' : 'a number'}, got ${JSON.stringify(raw)}`,
      );
    }
    if (s.minimum !== undefined && n < s.minimum)
      throw new ValidationError(`${name} must be >= ${s.minimum}, got ${n}`);
    if (s.exclusiveMinimum !== undefined && n <= s.exclusiveMinimum)
      throw new ValidationError(`${name} must be > ${s.exclusiveMinimum}, got ${n}`);
    if (s.maximum !== undefined && n > s.maximum)
      throw new ValidationError(`${name} must be <= ${s.maximum}, got ${n}`);
    v = n;
  } else if (s.type === 'boolean') {
    if (raw === true || raw === 'true' || raw === '1') v = true;
    else if (raw === false || raw === 'false' || raw === '0') v = false;
    else throw new ValidationError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
  } else if (s.type === 'string') {
    if (typeof raw !== 'string') throw new ValidationError(`${name} must be a string`);
    if (s.pattern !== undefined && !new RegExp(s.pattern).test(raw)) {
      throw new ValidationError(`${name} is malformed: ${JSON.stringify(raw.slice(0, 80))}`);
    }
    if (s.enum && !s.enum.includes(raw))
      throw new ValidationError(`${name} must be one of ${s.enum.join(', ')}`);
  }
  return v;
}

/** A validator for querystring / params objects; bodies pass through to the route's own decoder. */
export function compileValidator(
  schema: unknown,
  httpPart: string | undefined,
): (data: unknown) => { value?: unknown; error?: Error } {
  if (httpPart === 'body' || httpPart === 'headers') return (data) => ({ value: data });
  const s = schema as ObjectSchema;
  const props = s.properties ?? {};
  return (data) => {
    try {
      const input = (data ?? {}) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(input)) {
        if (!(key in props)) {
          if (s.additionalProperties === false)
            throw new ValidationError(
              `unknown parameter ${JSON.stringify(key)}; expected ${Object.keys(props).join(', ') || 'none'}`,
            );
          out[key] = input[key];
        }
      }
      for (const [key, p] of Object.entries(props)) {
        const raw = input[key];
        if (raw === undefined) {
          if (s.required?.includes(key)) throw new ValidationError(`${key} is required`);
          if (p.default !== undefined) out[key] = p.default;
          continue;
        }
        out[key] = coerce(key, Array.isArray(raw) ? raw[raw.length - 1] : raw, p);
      }
      return { value: out };
    } catch (err) {
      return { error: err as Error };
    }
  };
}

/** Validator for a route part: the interpreter above. */
function validatorFor({ schema, httpPart }: { schema: unknown; httpPart?: string }) {
  const validate = compileValidator(schema, httpPart);
  return (data: unknown) => validate(data) as never;
}

const serialize = () => (data: unknown) => JSON.stringify(data);

/**
 * Fastify options that replace ajv and fast-json-stringify (neither is even loaded: fastify requires them only
 * when no compiler factory is given).
 */
export const lightSchemaController = {
  compilersFactory: { buildValidator: () => validatorFor, buildSerializer: () => serialize },
};

/** Collects the app's routes for /openapi.json. */
export function collectRoutes(app: FastifyInstance): RouteOptions[] {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    if (!(route.schema as { hide?: boolean } | undefined)?.hide) routes.push(route);
  });
  return routes;
}

type Json = Record<string, unknown>;

/** What a route's schema may carry besides fastify's parts, for the document only. */
interface RouteDoc {
  readonly summary?: string;
  readonly description?: string;
  /** The answers' media type when it is not JSON (the manager's `/metrics`). */
  readonly produces?: string;
}

/**
 * The body of a POST that takes none (`POST /network/heal`): documented, so that every POST says what to send,
 * and optional, so that sending nothing stays right.
 */
export const NO_BODY = {
  type: 'object',
  maxProperties: 0,
  description: 'nothing: send no body, or {}',
  examples: [{}],
} as const;

const exampleOf = (schema: unknown): { example?: unknown } => {
  const examples = (schema as { examples?: readonly unknown[] } | undefined)?.examples;
  return examples && examples.length > 0 ? { example: examples[0] } : {};
};

/** An OpenAPI 3.1 document for the collected routes (Postman and Swagger UI import it). */
export function openApiDocument(
  routes: readonly RouteOptions[],
  info: { title: string; version: string; description: string },
): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const methods = (Array.isArray(r.method) ? r.method : [r.method])
      .map((m) => m.toLowerCase())
      .filter((m) => m !== 'head');
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const schema = (r.schema ?? {}) as FastifySchema & RouteDoc;
    const parameters: Json[] = [];
    for (const [part, where] of [
      ['querystring', 'query'],
      ['params', 'path'],
    ] as const) {
      const obj = schema[part] as ObjectSchema | undefined;
      for (const [name, p] of Object.entries(obj?.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || Boolean(obj?.required?.includes(name)),
          schema: p,
          ...(p.description ? { description: p.description } : {}),
          ...exampleOf(p),
        });
      }
    }
    const responses: Json = {};
    for (const [code, body] of Object.entries((schema.response ?? { 200: {} }) as Json)) {
      const ok = Number(code) < 400;
      responses[code] = {
        description: ok ? 'OK' : 'Error: { error: { code, message } }',
        content: { [ok && schema.produces ? schema.produces : 'application/json']: { schema: body } },
      };
    }
    const body = schema.body as { maxProperties?: number } | undefined;
    const requestBody = body && {
      required: body.maxProperties !== 0,
      content: { 'application/json': { schema: body, ...exampleOf(body) } },
    };
    for (const m of methods) {
      paths[path] ??= {};
      paths[path][m] = {
        ...(schema.summary ? { summary: schema.summary } : {}),
        ...(schema.description ? { description: schema.description } : {}),
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(requestBody ? { requestBody } : {}),
        responses,
      };
    }
  }
  return { openapi: '3.1.0', info, paths };
}
