/** A "Freqtrade" that accepts connections and requests and never answers any of them (a hung bot). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startHungServer(): Promise<{ url: string; server: Server; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req) => {
    requests.push(`${req.method} ${req.url}`);
    // Never answer.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, requests };
}
