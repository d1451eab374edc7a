/**
 * A tiny FastAPI-like router: routes with `{param}` segments, an auth group each, and one zod
 * schema over `{path, query, body}` whose issues become pydantic-style 422 answers.
 */
import { z } from 'zod';
import type { JsonValue } from './json-value.js';
import { type PydanticError, toPydanticErrors } from './pydantic-errors.js';
import type { FakeState } from './state.js';
import type { RpcMessage } from './ws-messages.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'DELETE';

/**
 * Freqtrade's route groups (reference §1.2): `public` needs nothing, `login` authenticates
 * itself, `info` needs auth, `trading` needs auth and a trading runmode, `webserver` needs auth
 * and the webserver runmode.
 */
export type RouteGroup = 'public' | 'login' | 'info' | 'trading' | 'webserver';

export interface RouteResult {
  status?: number;
  body: JsonValue;
  headers?: Record<string, string>;
}

/** An `RPCException`: answered 502 `{"error": "Error querying <path>: <message>"}`. */
export class RpcError extends Error {
  override name = 'RpcError' as const;
}

/** An `HTTPException`: answered `status` `{"detail": detail}`. */
export class DetailError extends Error {
  override name = 'DetailError' as const;
  readonly status: number;
  readonly detail: JsonValue;
  readonly headers: Record<string, string>;

  constructor(status: number, detail: JsonValue, headers: Record<string, string> = {}) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
    this.headers = headers;
  }
}

/** What a handler may use besides its validated input. */
export interface RouteContext {
  state: FakeState;
  now(): number;
  /** The request path with `/api/v1`, as RPC error texts quote it. */
  fullPath: string;
  /** The raw `Authorization` header (the login routes check it themselves). */
  authorization: string | undefined;
  emit(message: RpcMessage): void;
  log(logger: string, level: string, message: string): void;
  /** Token issuing, provided by the server (undefined = credentials or token refused). */
  tokens: {
    login(username: string, password: string): { access_token: string; refresh_token: string } | undefined;
    refresh(refreshToken: string | undefined): { access_token: string } | undefined;
  };
}

export interface RawInput {
  path: Record<string, string>;
  query: Record<string, string | string[]>;
  /** Present only when the request carried a JSON body other than `null`. */
  body?: unknown;
}

export interface Route {
  /** The methods this route answers (Starlette lists them in `Allow` on a 405). */
  methods: readonly HttpMethod[];
  /** Segments of the path under `/api/v1`, `{name}` for a parameter. */
  segments: string[];
  group: RouteGroup;
  takesBody: boolean;
  /** Query keys FastAPI reads as lists (all values); others take the last value. */
  listQueryKeys: readonly string[];
  run(raw: RawInput, ctx: RouteContext): RouteResult | PydanticError[];
}

interface RouteSpec<I> {
  method: HttpMethod | readonly HttpMethod[];
  path: string;
  group: RouteGroup;
  /** Schema over `{path, query, body}` (a required body is a required `body` key). */
  input: z.ZodType<I>;
  takesBody?: boolean;
  listQueryKeys?: readonly string[];
  handle(input: I, ctx: RouteContext): RouteResult;
}

/** A route whose handler gets its input validated, or the request a 422. */
export function defineRoute<I>(spec: RouteSpec<I>): Route {
  return {
    methods: typeof spec.method === 'string' ? [spec.method] : spec.method,
    segments: splitPath(spec.path),
    group: spec.group,
    takesBody: spec.takesBody ?? false,
    listQueryKeys: spec.listQueryKeys ?? [],
    run(raw, ctx) {
      const parsed = spec.input.safeParse(raw);
      if (!parsed.success) return toPydanticErrors(parsed.error.issues, raw);
      return spec.handle(parsed.data, ctx);
    },
  };
}

const NO_INPUT = z.object({});

/** A route without parameters, query or body. */
export function plainRoute(
  method: HttpMethod | readonly HttpMethod[],
  path: string,
  group: RouteGroup,
  handle: (ctx: RouteContext) => RouteResult,
): Route {
  return defineRoute({ method, path, group, input: NO_INPUT, handle: (_input, ctx) => handle(ctx) });
}

export function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/** The parameters of `route` if `segments` match its path. */
export function matchPath(route: Route, segments: readonly string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const pattern = route.segments[i] ?? '';
    const actual = segments[i] ?? '';
    if (pattern.startsWith('{') && pattern.endsWith('}')) {
      if (actual === '') return undefined;
      params[pattern.slice(1, -1)] = safeDecode(actual);
    } else if (pattern !== actual) {
      return undefined;
    }
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
