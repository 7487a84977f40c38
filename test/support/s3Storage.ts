// A real S3Proxy (filesystem backend in a temp directory) for one test file, with buckets made through the API and
// a restart on the same data directory for durability tests.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { s3ClientFor } from '../../data/s3ObjectStore.js';
import { startS3Proxy, type S3ProxyServer } from '../../infra/s3proxyServer.js';

export interface S3TestStorage {
  /** The running server; replaced by `restart`. */
  server: S3ProxyServer;
  /** process.env plus the AWS variables that reach the server. */
  env: NodeJS.ProcessEnv;
  /** A temp directory for caches and local files; removed by close. */
  dir: string;
  createBucket(name: string): Promise<void>;
  /** Stops the server and starts a new one on the same data directory (a new port, so `env` changes). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startS3TestStorage(): Promise<S3TestStorage> {
  const dir = mkdtempSync(join(tmpdir(), 'rareflow-s3-'));
  const dataDir = join(dir, 'backend');
  const storage: S3TestStorage = {
    server: await startS3Proxy({ dataDir }),
    env: {},
    dir,
    async createBucket(name) {
      await s3ClientFor(storage.env).client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async restart() {
      await storage.server.stop();
      storage.server = await startS3Proxy({ dataDir });
      storage.env = { ...process.env, ...storage.server.env };
    },
    async close() {
      await storage.server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  storage.env = { ...process.env, ...storage.server.env };
  return storage;
}
