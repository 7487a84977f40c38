// An S3 endpoint that accepts the connection but never answers: every read fails as unreachable after the idle
// timeout (3 attempts), naming the endpoint, instead of hanging the command for ever; bad endpoint, addressing and
// timeout settings are refused by name.

import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateInputs } from '../../data/s3InputFiles.js';

let server: Server;
const sockets: Socket[] = [];
let endpoint: string;

beforeAll(async () => {
  server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const env = (extra: Record<string, string>) => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'key',
  AWS_SECRET_ACCESS_KEY: 'secret',
  RAREFLOW_CACHE: '/tmp/rareflow-s3-timeouts-cache',
  ...extra,
});

describe('an S3 endpoint that never answers', () => {
  it('fails as unreachable after the idle timeout, naming the endpoint', async () => {
    const started = Date.now();
    await expect(locateInputs(['s3://bucket/data.csv'], '--input', env({ RAREFLOW_S3_IDLE_TIMEOUT_MS: '300' }))).rejects.toThrow(
      `cannot reach s3://bucket/data.csv: no answer from ${endpoint}`,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('refuses an endpoint without a scheme and an addressing style that is not true or false, naming the variable', async () => {
    for (const bad of ['127.0.0.1:9000', 'localhost:9000', 'ftp://host'])
      await expect(locateInputs(['s3://bucket/data.csv'], '--input', env({ AWS_ENDPOINT_URL: bad }))).rejects.toThrow(
        `AWS_ENDPOINT_URL: expected a URL such as http://127.0.0.1:9000 or https://s3.example.com, got "${bad}"`,
      );
    await expect(locateInputs(['s3://bucket/data.csv'], '--input', env({ AWS_S3_FORCE_PATH_STYLE: 'yes' }))).rejects.toThrow(
      'AWS_S3_FORCE_PATH_STYLE: expected true or false, got "yes"',
    );
  });

  it('refuses a timeout that is not a whole number of milliseconds in range', async () => {
    await expect(locateInputs(['s3://bucket/data.csv'], '--input', env({ RAREFLOW_S3_IDLE_TIMEOUT_MS: '5s' }))).rejects.toThrow(
      'RAREFLOW_S3_IDLE_TIMEOUT_MS: expected milliseconds, a whole number from 100 to 600000, got "5s"',
    );
  });
});
