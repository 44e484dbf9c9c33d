/** Serves the Colt simulator on Node (a dev tool, so Node-only is fine here). */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { COLT_API_PATH, COLT_TOKEN_PATH } from '../endpoints.js';
import type { MockColt } from './mock-colt.app.js';
import { createMockColt } from './mock-colt.app.js';
import { MOCK_TICKET_API_PATH } from './mock-colt.tickets.js';
import type { MockColtOptions } from './mock-colt.types.js';

export interface StartMockColtOptions extends MockColtOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
}

export interface RunningMockColt {
  /** `http://host:port`, no trailing slash. */
  url: string;
  /** The URL to give the client as COLT_API_BASE_URL. */
  apiBaseUrl: string;
  /** The URL to give the client as COLT_TOKEN_URL. */
  tokenUrl: string;
  /** The URL to give the relay as COLT_TICKET_API_BASE_URL. */
  ticketApiBaseUrl: string;
  mock: MockColt;
  /** Stops listening, drops open connections and cancels pending callbacks. */
  close(): Promise<void>;
}

/** Starts the simulator and resolves once it listens. */
export async function startMockColt(options: StartMockColtOptions = {}): Promise<RunningMockColt> {
  const mock = createMockColt(options);
  const host = options.host ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve, reject) => {
    const s = serve({ fetch: mock.app.fetch, port: options.port ?? 0, hostname: host }, (info: AddressInfo) =>
      resolve({ server: s as Server, port: info.port }),
    );
    s.once('error', reject);
  });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    apiBaseUrl: url + COLT_API_PATH,
    tokenUrl: url + COLT_TOKEN_PATH,
    ticketApiBaseUrl: url + MOCK_TICKET_API_PATH,
    mock,
    close: () =>
      new Promise<void>((resolve, reject) => {
        mock.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
