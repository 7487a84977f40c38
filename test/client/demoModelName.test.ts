// The demo's model name: a second demo run in one checkout trains a fresh model instead of meeting the first run's
// champion in a canary with no traffic (which rolled it back and failed the demo).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from '../../data/registry.js';
import { freshModelName } from '../../client/demoModelName.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-demo-name-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function champion(registry: Registry, name: string, sha: string): Promise<void> {
  await registry.recordModel({
    modelSha256: sha,
    modelName: name,
    runId: `r-${sha}`,
    uri: `file:///${sha}`,
    kind: 'logreg',
    threshold: 0.5,
    createdAt: 't0',
  });
  await registry.promote(name, sha, `r-${sha}`, 't1');
}

describe('the demo model name', () => {
  it('is the default until a champion holds it, then the first free numbered name', async () => {
    const path = join(dir, 'registry.duckdb');
    expect(await freshModelName(path, 'demo-fraud')).toBe('demo-fraud');
    const registry = await Registry.open(path);
    try {
      await champion(registry, 'demo-fraud', 'a1');
      // A model with versions but no champion (a first retrain that failed its gates) is free to reuse.
      await registry.recordModel({
        modelSha256: 'b1',
        modelName: 'demo-fraud-2',
        runId: 'r-b1',
        uri: 'file:///b1',
        kind: 'logreg',
        threshold: 0.5,
        createdAt: 't0',
      });
    } finally {
      await registry.close();
    }
    expect(await freshModelName(path, 'demo-fraud')).toBe('demo-fraud-2');
    const again = await Registry.open(path);
    try {
      await champion(again, 'demo-fraud-2', 'b1');
    } finally {
      await again.close();
    }
    expect(await freshModelName(path, 'demo-fraud')).toBe('demo-fraud-3');
  });
});
