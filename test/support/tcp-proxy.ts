/**
 * A TCP proxy that can cut its peer off and bring it back: a store outage on demand.
 * Two kinds of outage: `cut()` (the server is gone: connections reset, new ones refused) and
 * `hang()` (a network partition: connections stay open but nothing gets through either way,
 * new ones are accepted and never answered), the case where a client waits unless it times out.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones. */
  cut(): Promise<void>;
  /** Holds every connection, open and new, passing nothing either way (a partition). */
  hang(): void;
  /** Accepts connections again (after cut), or lets the held data through (after hang); nothing when neither. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<Pair>();
  let port = 0;
  let server: net.Server;
  let hung = false;
  let listening = false;

  const track = (s: net.Socket, pair: Pair) => {
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      pairs.delete(pair);
    });
    s.on('error', () => s.destroy());
  };

  /** Connects the pair's upstream (first time) and pipes both ways. */
  const flow = (pair: Pair) => {
    if (!pair.upstream) {
      pair.upstream = net.connect(target.port, target.host);
      track(pair.upstream, pair);
    }
    pair.client.pipe(pair.upstream).pipe(pair.client);
    pair.client.resume();
    pair.upstream.resume();
  };

  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const pair: Pair = { client, upstream: null };
        pairs.add(pair);
        track(client, pair);
        if (hung) client.pause();
        else flow(pair);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as net.AddressInfo).port;
        listening = true;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      listening = false;
      server.close(() => resolve());
    });

  await listen();
  return {
    get port() {
      return port;
    },
    cut: stop,
    hang() {
      hung = true;
      for (const { client, upstream } of pairs) {
        client.unpipe();
        upstream?.unpipe();
        client.pause();
        upstream?.pause();
      }
    },
    async restore() {
      if (hung) {
        hung = false;
        for (const pair of pairs) flow(pair);
        return;
      }
      if (!listening) await listen();
    },
    close: stop,
  };
}
