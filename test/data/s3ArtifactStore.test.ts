import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { failingOnBadInput } from '../../activities/activityRuntime.js';
import { IntegrityError } from '../../core/integrityError.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { StorageAccessError, StorageUnreachableError } from '../../data/objectStore.js';
import { S3ArtifactStore } from '../../data/s3ArtifactStore.js';
import { S3ObjectStore } from '../../data/s3ObjectStore.js';
import { openArtifactStore } from '../../data/storageLocations.js';
import { startS3TestStorage, type S3TestStorage } from '../support/s3Storage.js';

let s3: S3TestStorage;
let caches = 0;
beforeAll(async () => {
  s3 = await startS3TestStorage();
  await s3.createBucket('artifacts');
});
afterAll(async () => {
  await s3?.close();
});

/** A store on s3://artifacts/<prefix> with a cache of its own (as on another machine). */
function storeAt(prefix: string, o: { cacheBytes?: number; partBytes?: number } = {}): S3ArtifactStore {
  const store = openArtifactStore(
    `s3://artifacts/${prefix}`,
    { cacheDir: join(s3.dir, `cache-${caches++}`), cacheBytes: o.cacheBytes },
    { env: s3.env, partBytes: o.partBytes },
  );
  expect(store).toBeInstanceOf(S3ArtifactStore);
  return store as S3ArtifactStore;
}

const sha256Of = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

describe('S3ArtifactStore', () => {
  test('two writers of one artifact both succeed with the same reference, and the object holds those bytes', async () => {
    const bytes = randomBytes(50_000);
    const [a, b] = [storeAt('race'), storeAt('race')];
    const [ra, rb] = await Promise.all([a.putBytes(bytes, 'dataset', 'arrow'), b.putBytes(bytes, 'dataset', 'arrow')]);
    const sha = sha256Of(bytes);
    expect(ra).toEqual({ sha256: sha, uri: `s3://artifacts/race/${sha.slice(0, 2)}/${sha}.arrow`, bytes: 50_000, kind: 'dataset' });
    expect(rb).toEqual(ra);
    expect(Buffer.compare(await storeAt('race').readVerified(ra), bytes)).toBe(0);
    const listed = await new S3ObjectStore('s3://artifacts/race', 'test', { env: s3.env }).list('');
    expect(listed.map((o) => o.key)).toEqual([`${sha.slice(0, 2)}/${sha}.arrow`]);
  });

  test('a re-run finds its recorded outputs by key, from another machine', async () => {
    const writer = storeAt('keys');
    const ref = await writer.putBytes('{"ok":true}', 'result', 'json');
    await writer.recordKey('k1', { result: ref });
    const reader = storeAt('keys');
    expect(await reader.findByKey('k1')).toEqual({ result: ref });
    expect(await reader.findByKey('k2')).toBeUndefined();
    expect((await reader.check(ref)).status).toBe('ok');
    expect(await reader.has(ref)).toBe(true);
    expect(existsSync(await reader.localFile(ref))).toBe(true);
  });

  test('an object whose bytes were replaced is refused with an IntegrityError naming its URI, then discarded', async () => {
    const writer = storeAt('corrupt');
    const ref = await writer.putBytes('the true model', 'model', 'json');
    await new S3ObjectStore('s3://artifacts/corrupt', 'test', { env: s3.env }).put(`${ref.sha256.slice(0, 2)}/${ref.sha256}.json`, {
      bytes: 'a forged model',
    });
    const reader = storeAt('corrupt');
    const refused = await reader.readVerified(ref).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(IntegrityError);
    expect((refused as Error).message).toBe(
      `model file failed verification: ${ref.uri} has sha256 ${sha256Of('a forged model')}, expected ${ref.sha256}; it was changed or damaged after it was written`,
    );
    expect(await reader.check(ref)).toEqual({ status: 'corrupt', path: ref.uri, actualSha256: sha256Of('a forged model') });
    expect(await reader.isQuarantined(ref)).toBe(false);
    expect(await reader.discardIfCorrupt(ref)).toBe(true);
    expect((await reader.check(ref)).status).toBe('missing');
    // Set aside, not deleted: a reader that misses it can say it was damaged.
    expect(await reader.isQuarantined(ref)).toBe(true);
    // The writer's next put of the true bytes stores them again.
    await writer.putBytes('the true model', 'model', 'json');
    expect((await storeAt('corrupt').readVerified(ref)).toString()).toBe('the true model');
  });

  test('a write that finds a damaged object under its key replaces it', async () => {
    const ref = await storeAt('repair').putBytes('payload', 'note', 'txt');
    const remote = new S3ObjectStore('s3://artifacts/repair', 'test', { env: s3.env });
    await remote.put(`${ref.sha256.slice(0, 2)}/${ref.sha256}.txt`, { bytes: 'damaged' });
    expect(await storeAt('repair').putBytes('payload', 'note', 'txt')).toEqual(ref);
    expect((await storeAt('repair').readVerified(ref)).toString()).toBe('payload');
  });

  test('the cache keeps the most recently used files within its byte bound', async () => {
    const store = storeAt('lru', { cacheBytes: 3000 });
    const refs = [];
    for (let i = 0; i < 3; i++) refs.push(await store.putBytes(randomBytes(1200), 'blob', 'bin'));
    const cached = () => refs.map((r) => existsSync(join(store.root, r.sha256.slice(0, 2), `${r.sha256}.bin`)));
    expect(cached()).toEqual([false, true, true]);
    expect(await store.cache.bytesHeld()).toBe(2400);
    await store.readVerified(refs[1]!); // refs[1] is now the most recent; refs[2] the least
    await store.readVerified(refs[0]!); // downloaded again, evicting refs[2]
    expect(cached()).toEqual([true, true, false]);
    expect(await store.cache.bytesHeld()).toBe(2400);
  });

  test('a file above the part size goes up in multipart parts and reads back verified', async () => {
    const partBytes = 5 * 1024 * 1024;
    const store = storeAt('multipart', { partBytes });
    const bytes = randomBytes(2 * partBytes + 1000);
    const temp = store.tempPath('bin');
    await writeFile(temp, bytes);
    const ref = await store.putFile(temp, 'blob', 'bin');
    const head = await new S3ObjectStore('s3://artifacts/multipart', 'test', { env: s3.env }).head(
      `${ref.sha256.slice(0, 2)}/${ref.sha256}.bin`,
    );
    expect(head?.bytes).toBe(bytes.length);
    expect(head?.etag).toMatch(/-3"$/); // an S3 multipart ETag: md5 of the part md5s, dash, part count
    expect(sha256Of(await storeAt('multipart').readVerified(ref))).toBe(ref.sha256);
    // A second writer of the same large artifact finds it stored.
    const again = store.tempPath('bin');
    await writeFile(again, bytes);
    expect(await storeAt('multipart', { partBytes }).putFile(again, 'blob', 'bin')).toEqual(ref);
  });

  test('a missing bucket, refused credentials and an unreachable endpoint each fail with a typed error naming the URI', async () => {
    const read = (uri: string, env: NodeJS.ProcessEnv) =>
      new S3ObjectStore(uri, 'RAREFLOW_ARTIFACTS', { env }).get('k.json').catch((e: unknown) => e);
    const noBucket = await read('s3://no-such-bucket/p', s3.env);
    expect(noBucket).toBeInstanceOf(StorageAccessError);
    expect((noBucket as Error).message).toBe(
      `cannot reach s3://no-such-bucket/p/k.json: bucket "no-such-bucket" does not exist at ${s3.server.endpoint}; create it or point RAREFLOW_ARTIFACTS at an existing bucket`,
    );
    const badKey = await read('s3://artifacts/p', { ...s3.env, AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    expect(badKey).toBeInstanceOf(StorageAccessError);
    expect((badKey as Error).message).toMatch(
      new RegExp(
        `^cannot reach s3://artifacts/p/k\\.json: ${s3.server.endpoint} refused the credentials \\(\\w+\\); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY$`,
      ),
    );
    // No credentials anywhere (the SDK's chain reads the process's environment and files): a setting, not an outage.
    const saved = { ...process.env };
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[k];
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(s3.dir, 'no-credentials');
    process.env.AWS_CONFIG_FILE = join(s3.dir, 'no-config');
    const noCredentials = await read('s3://artifacts/p', { ...s3.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    process.env = saved;
    expect(noCredentials).toBeInstanceOf(StorageAccessError);
    expect((noCredentials as Error).message).toBe(
      `cannot reach s3://artifacts/p/k.json: no S3 credentials were found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) for ${s3.server.endpoint}`,
    );
    const down = await read('s3://artifacts/p', { ...s3.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(down).toBeInstanceOf(StorageUnreachableError);
    expect((down as Error).message).toMatch(
      /^cannot reach s3:\/\/artifacts\/p\/k\.json: no answer from http:\/\/127\.0\.0\.1:9 \(.*ECONNREFUSED.*\); check AWS_ENDPOINT_URL/,
    );
    // In an activity: access errors are non-retryable input errors; an unreachable endpoint stays retryable.
    const asFailure = (e: unknown) => failingOnBadInput(() => Promise.reject(e)).catch((f: unknown) => f);
    expect(noBucket).toBeInstanceOf(InvalidInputError);
    // The deployment's storage setting at fault: not the spec's (a lifecycle keeps the spec); an input's bucket is.
    expect(await asFailure(badKey)).toMatchObject({ nonRetryable: true, type: 'StorageSettings', details: ['RAREFLOW_ARTIFACTS'] });
    expect(await asFailure(noBucket)).toMatchObject({ nonRetryable: true, type: 'StorageSettings', details: ['RAREFLOW_ARTIFACTS'] });
    const inputBucket = await new S3ObjectStore('s3://no-such-bucket/in', 'input.paths', { env: s3.env })
      .get('a.csv')
      .catch((e: unknown) => e);
    expect((inputBucket as Error).message).toContain('create it or point input.paths at an existing bucket');
    expect(await asFailure(inputBucket)).toMatchObject({ nonRetryable: true, type: 'InvalidInput' });
    expect(await asFailure(noBucket)).toBeInstanceOf(ApplicationFailure);
    expect(await asFailure(down)).toBe(down);
  });

  test('a malformed s3:// location is refused naming the setting', () => {
    expect(() => openArtifactStore('s3://A_b/x', { cacheDir: s3.dir })).toThrow(
      'RAREFLOW_ARTIFACTS is s3://A_b/x: expected s3://BUCKET/PREFIX with a bucket name of 3-63 lowercase letters, digits, "." or "-"',
    );
  });

  test('artifacts survive a restart of the storage server', async () => {
    const ref = await storeAt('durable').putBytes('kept across restarts', 'note', 'txt');
    await s3.restart();
    expect((await storeAt('durable').readVerified(ref)).toString()).toBe('kept across restarts');
  });
});
