// Commands about a model's workflows in a state directory where the embedded server never ran: no workflow can exist
// there, so they answer (or refuse, exit 2) without starting a server, a worker or a registry, and leave nothing
// behind; a flag refused is refused before Temporal is reached at all.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-nothing-ran-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = join(dir, 'home');
const env = { RAREFLOW_HOME: home, RAREFLOW_TEMPORAL_PORT: '0', TEMPORAL_ADDRESS: '' };

describe('a state directory where nothing ran', () => {
  it('answers or refuses each command at once and creates nothing', async () => {
    const cases: Array<[string[], number, string]> = [
      [['status', '--model', 'zz'], 2, '--model: no lifecycle is running for model "zz"'],
      [['drift', '--model', 'zz', '--reason', 'psi'], 2, 'no lifecycle is running for model "zz"'],
      [['approve', '--model', 'zz', '--run', 'r1'], 2, 'no lifecycle is running for model "zz"'],
      [['canary', 'status', '--model', 'zz'], 2, 'no lifecycle is running for model "zz"'],
      [['canary', 'abort', '--model', 'zz'], 2, 'no lifecycle is running for model "zz"'],
      [['cancel', '--model', 'zz'], 2, 'no lifecycle is running for model "zz"'],
      [['cancel', '--model', 'zz', '--run', ' '], 2, '--run: expected a retrain run id (see rareflow status), got an empty string'],
      [['canary', 'foo', '--model', 'zz'], 2, 'canary: expected status, pause, resume or abort, got "foo"'],
      [['monitor', 'status', '--model', 'zz'], 2, 'monitor status: model zz has no drift monitor running'],
      [['monitor', 'foo', '--model', 'zz'], 2, 'monitor: expected start, stop, status or report, got "foo"'],
      [['schedule', 'list'], 0, 'no schedules'],
      [['schedule', 'delete', '--model', 'zz'], 2, 'schedule delete: no schedule "rareflow-retrain-zz"'],
      [['schedule', 'create', '--model', 'zz'], 2, 'schedule create: pass --every DURATION'],
      [['schedule', 'create', '--model', 'zz', '--every', '1h', '--cron', '0 * * * *'], 2, 'are alternatives; pass one of them'],
      [['schedule', 'create', '--model', 'zz', '--every', '1h', '--jitter', '2h'], 2, '--jitter 2h: expected less than --every 1h'],
      [['schedule', 'foo'], 2, 'schedule: expected create, list, pause, unpause or delete, got "foo"'],
    ];
    for (const [args, code, text] of cases) {
      const r = await runCli(args, { cwd: dir, env, timeoutMs: 30_000 });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stdout + r.stderr, args.join(' ')).toContain(text);
      expect(existsSync(home), `${args.join(' ')} left ${home}`).toBe(false);
    }
  });
});
