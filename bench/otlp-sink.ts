/**
 * A local OTLP/HTTP endpoint for the ingest benchmark's traced variant: accepts every
 * `POST /v1/traces`, answers 200 at once and counts requests and bytes (no decoding: the
 * benchmark measures the relay, not a collector). Runs as its own process so its CPU is
 * neither the relay's nor the load generator's. Prints `PORT <n>`; on SIGTERM, its counts.
 */
import { createServer } from 'node:http';

let requests = 0;
let bytes = 0;
const server = createServer((req, res) => {
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.once('SIGTERM', () => {
  process.stdout.write(`EXPORTS ${requests} ${bytes}\n`);
  server.close(() => process.exit(0));
});
