// Model references: parsing NAME, NAME@ALIAS and NAME/VERSION; resolving them through a registry filled by the
// Registry API to model files written by fit; what a missing name, alias or version says; the file-wins note; the
// sha256 check; and the CLI's predict, models get and serve with a registered model.

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, failureExit } from '../../client/exitCodes.js';
import { fitCommand } from '../../client/fitCommand.js';
import { IntegrityError } from '../../core/integrityError.js';
import { parseModelReference, resolveModelReference, type ResolvedModel } from '../../data/modelReference.js';
import { Registry } from '../../data/registry.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
let registryPath: string;
/** sha256 of the two fitted models, in version order (v1 older). */
const sha: string[] = [];
const notes: string[] = [];

const resolveRef = (text: string) => resolveModelReference(text, { registryPath, note: (l) => notes.push(l) });
const registered = (r: ResolvedModel) => {
  if (r.source !== 'registry') throw new Error(`expected a registered model, got the file ${r.path}`);
  return r;
};
async function rejection(text: string): Promise<{ exitCode: number; message: string }> {
  try {
    await resolveRef(text);
  } catch (err) {
    return failureExit(err);
  }
  throw new Error(`${text} resolved`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-model-reference-'));
  registryPath = join(dir, 'registry.duckdb');
  const lines = ['a,b,label'];
  for (let i = 0; i < 120; i++) lines.push(`${(i % 17) / 4},${((i * 7) % 13) / 3},${i % 10 === 0 ? 1 : 0}`);
  writeFileSync(join(dir, 'tiny.csv'), `${lines.join('\n')}\n`);
  const store = join(dir, 'artifacts');
  mkdirSync(store);
  const registry = await Registry.open(registryPath);
  try {
    for (const seed of [1, 2]) {
      const out = join(dir, `fit-${seed}.json`);
      await fitCommand({ input: join(dir, 'tiny.csv'), label: 'label', seed, model: 'logreg', out });
      const bytes = readFileSync(out);
      const digest = createHash('sha256').update(bytes).digest('hex');
      sha.push(digest);
      copyFileSync(out, join(store, `${digest}.json`));
    }
    expect(sha[0]).not.toBe(sha[1]);
    // Recorded newest first: the version order comes from created_at, not from insertion.
    const record = (i: number, createdAt: string) =>
      registry.recordModel({
        modelSha256: sha[i]!,
        modelName: 'card-fraud',
        runId: `run-${i + 1}`,
        uri: pathToFileURL(join(store, `${sha[i]}.json`)).href,
        kind: 'logreg',
        threshold: 0.5,
        createdAt,
      });
    await record(1, '2026-02-01T00:00:00.000Z');
    await record(0, '2026-01-01T00:00:00.000Z');
    await registry.promote('card-fraud', sha[0]!, 'run-1', '2026-01-02T00:00:00.000Z');
    await registry.setAlias('card-fraud', 'challenger', sha[1]!, '2026-02-02T00:00:00.000Z');
    // A model whose file was edited after it was recorded.
    copyFileSync(join(store, `${sha[0]}.json`), join(store, 'edited.json'));
    writeFileSync(join(store, 'edited.json'), `${readFileSync(join(store, 'edited.json'), 'utf8')} `);
    await registry.recordModel({
      modelSha256: sha[0]!.replace(/^./, (c) => (c === 'f' ? 'e' : 'f')),
      modelName: 'edited',
      runId: 'run-e',
      uri: pathToFileURL(join(store, 'edited.json')).href,
      kind: 'logreg',
      threshold: 0.5,
      createdAt: '2026-03-01T00:00:00.000Z',
    });
  } finally {
    await registry.close();
  }
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseModelReference', () => {
  it('reads NAME, NAME@ALIAS and NAME/VERSION, and nothing else', () => {
    expect(parseModelReference('card-fraud')).toEqual({ form: 'name', name: 'card-fraud' });
    expect(parseModelReference('card-fraud@challenger')).toEqual({ form: 'alias', name: 'card-fraud', alias: 'challenger' });
    expect(parseModelReference('card-fraud/3')).toEqual({ form: 'version', name: 'card-fraud', version: 3 });
    for (const text of ['', 'models/fraud.json', '../x', '@champion', 'a@', 'a/1/2', 'a/v1', 'x..y']) {
      expect(parseModelReference(text), text).toBeUndefined();
    }
  });
});

describe('resolveModelReference', () => {
  it('resolves NAME to the champion, NAME@ALIAS and NAME/VERSION (1-based, by created_at), verified', async () => {
    const champion = registered(await resolveRef('card-fraud'));
    expect(champion).toMatchObject({ version: 1, aliases: ['champion'] });
    expect(champion.record.modelSha256).toBe(sha[0]);
    expect(createHash('sha256').update(champion.bytes).digest('hex')).toBe(sha[0]);
    const challenger = registered(await resolveRef('card-fraud@challenger'));
    expect(challenger).toMatchObject({ version: 2, aliases: ['challenger'] });
    expect(registered(await resolveRef('card-fraud@champion')).record.modelSha256).toBe(sha[0]);
    expect(registered(await resolveRef('card-fraud/2')).record.modelSha256).toBe(sha[1]);
    expect(registered(await resolveRef('card-fraud/1')).record.runId).toBe('run-1');
  });

  it('a name, alias or version that does not exist is bad input (exit 2) naming what exists', async () => {
    expect(await rejection('nobody')).toEqual({
      exitCode: EXIT_CODES.badInput,
      message: '--model nobody: no model file of that name and no registered model "nobody"; registered models: card-fraud, edited',
    });
    expect(await rejection('card-fraud@prod')).toEqual({
      exitCode: EXIT_CODES.badInput,
      message:
        '--model card-fraud@prod: model card-fraud has no alias "prod"; it has aliases: challenger (version 2), champion (version 1); versions 1–2 (card-fraud/1 … card-fraud/2)',
    });
    expect((await rejection('card-fraud/3')).message).toBe(
      '--model card-fraud/3: model card-fraud has no version 3; it has aliases: challenger (version 2), champion (version 1); versions 1–2 (card-fraud/1 … card-fraud/2)',
    );
    expect((await rejection('card-fraud/0')).message).toMatch(/^--model card-fraud\/0: model card-fraud has no version 0;/);
    expect((await rejection('edited')).message).toBe(
      '--model edited: model edited has no champion yet; it has no aliases; version 1 (edited/1)',
    );
    expect((await rejection('missing.json')).message).toMatch(
      /^--model: model file missing\.json does not exist \(it is resolved from .*\); expected a model file written by/,
    );
  });

  it('an s3:// URI is refused as one (exit 2), not looked for as a local file relative to the working directory', async () => {
    expect(await rejection('s3://bucket/models/m1.json')).toEqual({
      exitCode: EXIT_CODES.badInput,
      message:
        '--model: s3://bucket/models/m1.json is an s3:// URI; expected a local model file, or a registered model as NAME, NAME@ALIAS or NAME/VERSION (a registered model is read from the store, S3 included)',
    });
  });

  it('a registered model whose file no longer matches its sha256 is an IntegrityError naming the file', async () => {
    const err = await resolveRef('edited/1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(failureExit(err)).toMatchObject({ exitCode: EXIT_CODES.badInput });
    expect((err as Error).message).toMatch(
      /^model file failed verification: .*edited\.json has sha256 [0-9a-f]{64}, expected [0-9a-f]{64};/,
    );
  });

  it('an existing file wins over a registered name of the same text, with a note', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      copyFileSync(join(dir, 'fit-2.json'), join(dir, 'card-fraud'));
      notes.length = 0;
      expect(await resolveRef('card-fraud')).toEqual({ source: 'file', path: 'card-fraud' });
      expect(notes).toEqual([
        'note: --model card-fraud: using the file card-fraud; a registered model "card-fraud" exists too (to use it, run from a directory without that file)',
      ]);
      notes.length = 0;
      expect(await resolveRef('fit-1.json')).toEqual({ source: 'file', path: 'fit-1.json' });
      expect(notes).toEqual([]);
    } finally {
      process.chdir(cwd);
      rmSync(join(dir, 'card-fraud'), { force: true });
    }
  });

  it('without a registry, a name says there is none to look it up in', async () => {
    const r = await resolveModelReference('card-fraud', { registryPath: join(dir, 'none.duckdb'), note: () => {} }).catch(
      (e: unknown) => e,
    );
    expect(failureExit(r)).toEqual({
      exitCode: EXIT_CODES.badInput,
      message: `--model card-fraud: no model file of that name, and no registry at ${join(dir, 'none.duckdb')} to look up a registered model (set RAREFLOW_REGISTRY or RAREFLOW_HOME to the registry in use)`,
    });
  });
});

describe('the CLI with a registered model', () => {
  it('predict scores with NAME@ALIAS, and models get writes the verified file to --out or stdout', async () => {
    const env = { RAREFLOW_REGISTRY: registryPath };
    const p = await runCli(['predict', '--model', 'card-fraud@challenger', '--input', 'tiny.csv', '--out', 'scores.csv', '--json'], {
      cwd: dir,
      env,
    });
    expect(p.code, p.stderr).toBe(0);
    expect(p.json()).toMatchObject({ registered: { name: 'card-fraud', version: 2, aliases: ['challenger'], sha256: sha[1] } });
    const got = await runCli(['models', 'get', '--model', 'card-fraud/1', '--out', 'v1.json', '--json'], { cwd: dir, env });
    expect(got.code, got.stderr).toBe(0);
    expect(got.json()).toMatchObject({ sha256: sha[0], registered: { version: 1 } });
    expect(readFileSync(join(dir, 'v1.json'))).toEqual(readFileSync(join(dir, 'fit-1.json')));
    const piped = await runCli(['models', 'get', '--model', 'card-fraud'], { cwd: dir, env });
    expect(piped.code, piped.stderr).toBe(0);
    expect(createHash('sha256').update(piped.stdout).digest('hex')).toBe(sha[0]);
    const missing = await runCli(['models', 'get', '--model', 'card-fraud@prod'], { cwd: dir, env });
    expect(missing.code).toBe(EXIT_CODES.badInput);
    expect(missing.stderr).toMatch(/^rareflow models: --model card-fraud@prod: model card-fraud has no alias "prod";/);
    expect(missing.stdout).toBe('');
    // A model file is JSON: a CSV name is refused before anything is written.
    const csv = await runCli(['models', 'get', '--model', 'card-fraud/1', '--out', 'v1.csv'], { cwd: dir, env });
    expect([csv.code, csv.stderr]).toEqual([
      EXIT_CODES.badInput,
      'rareflow models: --out: expected a model file ending in .json, got v1.csv\n',
    ]);
    expect(existsSync(join(dir, 'v1.csv'))).toBe(false);
  }, 60_000);

  it('serve with a version or alias that does not exist exits 2 naming what the model has', async () => {
    const env = { RAREFLOW_REGISTRY: registryPath, RAREFLOW_SERVING: join(dir, 'serving') };
    const r = await runCli(['serve', '--model', 'card-fraud/7', '--port', '0'], { cwd: dir, env });
    expect(r.code).toBe(EXIT_CODES.badInput);
    expect(r.stderr).toBe(
      'rareflow serve: --model card-fraud/7: model card-fraud has no version 7; it has aliases: challenger (version 2), champion (version 1); versions 1–2 (card-fraud/1 … card-fraud/2)\n',
    );
    const alias = await runCli(['serve', '--model', 'card-fraud@prod', '--port', '0'], { cwd: dir, env });
    expect(alias.code).toBe(EXIT_CODES.badInput);
    expect(alias.stderr).toMatch(/^rareflow serve: --model card-fraud@prod: model card-fraud has no alias "prod"; it has aliases: /);
    expect(r.stdout + alias.stdout).toBe('');
  }, 60_000);

  it("evaluate compares a registered model with its name's champion on the same rows when the gates ask", async () => {
    const env = { RAREFLOW_REGISTRY: registryPath };
    writeFileSync(
      join(dir, 'champion-gates.json'),
      JSON.stringify({
        minPositiveSupport: 5,
        gates: [
          { metric: 'gMean', maxDropVsChampion: 0.5 },
          { metric: 'recall', class: 'positive', min: 0.01 },
        ],
      }),
    );
    const evaluate = async (model: string) => {
      const r = await runCli(
        ['evaluate', '--model', model, '--input', 'tiny.csv', '--label', 'label', '--gates', 'champion-gates.json', '--json'],
        {
          cwd: dir,
          env,
        },
      );
      expect(r.code, r.stderr + r.stdout).toBe(0);
      return r.json<{
        report: { gMean: number };
        champion?: { name: string; report?: { gMean: number } };
        checks: { reason: string; championValue: number | null; passed: boolean | null }[];
      }>();
    };
    // The champion alone, as evaluate scores it: its G-mean is what the challenger is compared with.
    const champion = await evaluate('card-fraud/1');
    const challenger = await evaluate('card-fraud@challenger');
    expect(challenger.champion?.name).toBe('card-fraud@champion (version 1)');
    expect(challenger.champion?.report?.gMean).toBe(champion.report.gMean);
    expect(challenger.checks[0]!.championValue).toBe(champion.report.gMean);
    expect(challenger.checks[0]!.passed).toBe(true);
    // Before, evaluate never looked and said so: "no champion to compare against". The champion itself has none.
    expect(champion.champion).toBeUndefined();
    expect(champion.checks[0]!.reason).toBe('skipped: no champion to compare against');
  }, 60_000);
});
