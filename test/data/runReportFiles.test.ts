// The UI finds a run's HTML report through the memo record that holds it beside the JSON report: records written as
// the store writes them now (naming their key) and as it wrote them before (the outputs alone) both lead to it.

import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactStore, keyRecordText } from '../../data/artifactStore.js';
import { findRunReportHtml } from '../../data/runReportFiles.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-run-report-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('findRunReportHtml', () => {
  it('reads the record of the current and the earlier format', async () => {
    for (const [name, record] of [
      ['current', (key: string, outputs: object) => keyRecordText(key, outputs as never)],
      ['earlier', (_key: string, outputs: object) => JSON.stringify(outputs)],
    ] as const) {
      const root = join(dir, name);
      const store = new ArtifactStore(root);
      const report = await store.putBytes(JSON.stringify({ run: name }), 'validation-report', 'json');
      const html = await store.putBytes(`<html>run ${name}</html>`, 'run-report', 'html');
      await mkdir(join(root, 'keys'), { recursive: true });
      await writeFile(join(root, 'keys', 'k1.json'), record('k1', { report, html }));
      expect(await findRunReportHtml(root, { runId: name, reportUri: report.uri })).toBe(store.pathOf(html));
    }
  });
});
