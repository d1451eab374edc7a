/**
 * A fake webhook receiver on 127.0.0.1:0 that answers as Discord channel webhooks and Slack
 * incoming webhooks do, 429s included:
 * - `POST /discord/<id>/<token>`: 204 No Content; more than 5 posts in 2 s per webhook (or a
 *   forced limit) → 429 with JSON `{ message, retry_after (seconds), global }` and the
 *   `retry-after` header; a body without content or embeds → 400 `{ code: 50006 }`.
 * - `POST /slack/<T>/<B>/<secret>`: 200 `ok` (text); more than 1 post a second (or a forced
 *   limit) → 429 with `Retry-After` (whole seconds) and text `rate_limited`; no `text` and no
 *   `blocks` → 400 `no_text`.
 * - `POST /json/<anything>`: 204, whatever the JSON.
 * Any other path is 404; a path in `gone` answers 404 as a deleted webhook does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeWebhookPost {
  path: string;
  body: Record<string, unknown>;
  /** What the fake answered. */
  status: number;
  at: number;
}

export interface FakeWebhook {
  /** e.g. `http://127.0.0.1:1234`; webhook URLs are this plus a path above. */
  readonly url: string;
  /** Every post accepted (2xx), in arrival order. */
  readonly posts: FakeWebhookPost[];
  /** Every request, refused ones included. */
  readonly requests: FakeWebhookPost[];
  /** Accepted posts to one path. */
  postsTo(path: string): FakeWebhookPost[];
  /** Answers the next `times` posts to `path` with a 429 asking to wait `retryAfterS`. */
  rateLimitNext(path: string, times: number, retryAfterS: number): void;
  /** Answers the next `times` posts to `path` with the 400 its kind sends for a malformed body. */
  refuseNext(path: string, times: number): void;
  /** From now on `path` answers 404, as a deleted webhook does. */
  remove(path: string): void;
  /** How many 429s were answered. */
  readonly count429: number;
  close(): Promise<void>;
}

/** Discord's per-webhook window: 5 posts per 2 s (observed; Discord documents only "per route"). */
const DISCORD_WINDOW = { posts: 5, ms: 2_000 } as const;
/** Slack incoming webhooks: 1 message a second (api.slack.com/apis/rate-limits). */
const SLACK_WINDOW = { posts: 1, ms: 1_000 } as const;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeWebhook(): Promise<FakeWebhook> {
  const posts: FakeWebhookPost[] = [];
  const requests: FakeWebhookPost[] = [];
  const forced = new Map<string, { times: number; retryAfterS: number }>();
  const gone = new Set<string>();
  const refused = new Map<string, number>();
  const recent = new Map<string, number[]>();
  let count429 = 0;

  /** The seconds to wait when `path` is over its window now, else 0. */
  const overWindow = (path: string, window: { posts: number; ms: number }, now: number): number => {
    const times = (recent.get(path) ?? []).filter((at) => now - at < window.ms);
    recent.set(path, times);
    if (times.length < window.posts) return 0;
    return Math.max(0.001, (window.ms - (now - (times[0] ?? now))) / 1000);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    const text = await readBody(request);
    const now = Date.now();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        body = parsed as Record<string, unknown>;
    } catch {
      // Left empty: the format checks below refuse it.
    }
    const answer = (status: number, headers: Record<string, string>, out: string) => {
      requests.push({ path, body, status, at: now });
      if (status >= 200 && status < 300) posts.push({ path, body, status, at: now });
      response.writeHead(status, headers).end(out);
    };
    const kind = path.split('/')[1];
    if (request.method !== 'POST' || !['discord', 'slack', 'json'].includes(kind ?? '') || gone.has(path)) {
      if (kind === 'discord') {
        answer(
          404,
          { 'content-type': 'application/json' },
          JSON.stringify({ message: 'Unknown Webhook', code: 10015 }),
        );
      } else answer(404, { 'content-type': 'text/plain' }, kind === 'slack' ? 'no_service' : 'not found');
      return;
    }
    const force = forced.get(path);
    const window = kind === 'discord' ? DISCORD_WINDOW : kind === 'slack' ? SLACK_WINDOW : undefined;
    let retryAfterS = window ? overWindow(path, window, now) : 0;
    if (force && force.times > 0) {
      force.times -= 1;
      retryAfterS = force.retryAfterS;
    }
    if (retryAfterS > 0) {
      count429 += 1;
      if (kind === 'slack') {
        answer(
          429,
          { 'content-type': 'text/plain', 'retry-after': String(Math.ceil(retryAfterS)) },
          'rate_limited',
        );
      } else {
        answer(
          429,
          { 'content-type': 'application/json', 'retry-after': String(retryAfterS) },
          JSON.stringify({ message: 'You are being rate limited.', retry_after: retryAfterS, global: false }),
        );
      }
      return;
    }
    const refuse = refused.get(path) ?? 0;
    if (refuse > 0) refused.set(path, refuse - 1);
    if (kind === 'discord') {
      const hasContent = typeof body['content'] === 'string' && body['content'] !== '';
      if (refuse > 0 || (!hasContent && !(Array.isArray(body['embeds']) && body['embeds'].length > 0))) {
        answer(
          400,
          { 'content-type': 'application/json' },
          JSON.stringify({ message: 'Cannot send an empty message', code: 50006 }),
        );
        return;
      }
      if (Array.isArray(body['components']) && body['components'].length > 0) {
        // Non-application webhooks cannot carry components.
        answer(
          400,
          { 'content-type': 'application/json' },
          JSON.stringify({ message: 'Invalid Form Body', code: 50035 }),
        );
        return;
      }
    }
    if (
      kind === 'slack' &&
      (refuse > 0 || (typeof body['text'] !== 'string' && !Array.isArray(body['blocks'])))
    ) {
      answer(400, { 'content-type': 'text/plain' }, 'no_text');
      return;
    }
    (recent.get(path) ?? recent.set(path, []).get(path))?.push(now);
    if (kind === 'slack') answer(200, { 'content-type': 'text/plain' }, 'ok');
    else answer(204, {}, '');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    requests,
    postsTo: (path) => posts.filter((post) => post.path === path),
    rateLimitNext(path, times, retryAfterS) {
      forced.set(path, { times, retryAfterS });
    },
    refuseNext(path, times) {
      refused.set(path, times);
    },
    remove(path) {
      gone.add(path);
    },
    get count429() {
      return count429;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
