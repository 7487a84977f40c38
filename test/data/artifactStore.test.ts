import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ArtifactStore } from '../../data/artifactStore.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rareflow-store-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ArtifactStore', () => {
  test('stores by content hash and keeps one copy of identical content', async () => {
    const store = new ArtifactStore(root);
    const sha = createHash('sha256').update('hello rare events').digest('hex');
    const first = store.tempPath('txt');
    await writeFile(first, 'hello rare events');
    const a = await store.putFile(first, 'note', 'txt');
    expect(a).toEqual({ sha256: sha, uri: `file://${join(root, sha.slice(0, 2), `${sha}.txt`)}`, bytes: 17, kind: 'note' });
    const second = store.tempPath('txt');
    await writeFile(second, 'hello rare events');
    const b = await store.putFile(second, 'note', 'txt');
    expect(b).toEqual(a);
    expect(existsSync(first)).toBe(false);
    expect(existsSync(second)).toBe(false);
    expect(await readFile(store.pathOf(a), 'utf8')).toBe('hello rare events');
    const c = await store.putBytes('other content', 'note', 'txt');
    expect(c.sha256).not.toBe(a.sha256);
    expect(await store.has(c)).toBe(true);
  });

  test('pathOf a missing artifact says which one and where it looked', async () => {
    const store = new ArtifactStore(root);
    const ref = { sha256: 'ab'.repeat(32), uri: `file://${join(root, 'ab', `${'ab'.repeat(32)}.json`)}`, bytes: 3, kind: 'model' };
    expect(await store.has(ref)).toBe(false);
    expect(() => store.pathOf(ref)).toThrow(/artifact model abab.* is not in the store/);
  });

  test('keys are canonical and record outputs that a re-run finds', async () => {
    const store = new ArtifactStore(root);
    const key = ArtifactStore.keyOf({ stage: 'adasyn', params: { k: 5, beta: 1 }, inputs: ['x'] });
    expect(ArtifactStore.keyOf({ inputs: ['x'], params: { beta: 1, k: 5 }, stage: 'adasyn' })).toBe(key);
    expect(ArtifactStore.keyOf({ inputs: ['x'], params: { beta: 1, k: 6 }, stage: 'adasyn' })).not.toBe(key);
    expect(await store.findByKey(key)).toBeUndefined();
    const out = await store.putBytes(new Uint8Array([1, 2, 3]), 'dataset', 'bin');
    await store.recordKey(key, { augmented: out });
    expect(await store.findByKey(key)).toEqual({ augmented: out });
  });
});
