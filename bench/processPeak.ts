// Wall time and peak memory of a whole child process for the benches: the largest single process's max RSS (GNU
// time's %M, exact) and the peak of the summed RSS of the process tree (the Temporal server too), sampled from /proc.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MeasuredProcess {
  status: number | null;
  stdout: string;
  stderr: string;
  /** When each stderr line arrived, in seconds from the start: where a command's own progress lines fall in time. */
  stderrLines: Array<{ atSeconds: number; line: string }>;
  seconds: number;
  /** Max RSS of the largest single process in the tree (MB); from /usr/bin/time when present, else sampled VmHWM. */
  peakMb: number;
  /** Peak of the summed RSS of the process and its descendants (MB), sampled every `sampleMs`. */
  treePeakMb: number;
}

const GNU_TIME = '/usr/bin/time';

/** The kB value of one field of /proc/<pid>/status (VmRSS, VmHWM), or 0 when the process is gone. */
function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The process and every descendant, through /proc/<pid>/task/<tid>/children. */
function processTree(root: number): number[] {
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    out.push(pid);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
        if (children) queue.push(...children.split(/\s+/).map(Number));
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  return out;
}

/**
 * Runs `cmd args` to its end and measures it. The sampled tree figure can miss a spike shorter than `sampleMs`;
 * the single-process figure cannot (the kernel's high-water mark).
 */
export function measureProcess(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; sampleMs?: number } = {},
): Promise<MeasuredProcess> {
  const useTime = existsSync(GNU_TIME);
  const scratch = mkdtempSync(join(tmpdir(), 'rareflow-peak-'));
  const timeOut = join(scratch, 'maxrss');
  const [file, argv] = useTime ? [GNU_TIME, ['-o', timeOut, '-f', '%M', cmd, ...args]] : [cmd, args];
  const started = performance.now();
  const child = spawn(file, argv, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => stdout.push(b));
  const stderrLines: MeasuredProcess['stderrLines'] = [];
  let partial = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr.push(b);
    const lines = (partial + b.toString('utf8')).split('\n');
    partial = lines.pop()!;
    const atSeconds = (performance.now() - started) / 1000;
    for (const line of lines) stderrLines.push({ atSeconds, line });
  });
  let treePeakKb = 0;
  let hwmKb = 0;
  const sample = () => {
    if (child.pid === undefined) return;
    let sum = 0;
    for (const pid of processTree(child.pid)) {
      sum += statusKb(pid, 'VmRSS');
      hwmKb = Math.max(hwmKb, statusKb(pid, 'VmHWM'));
    }
    treePeakKb = Math.max(treePeakKb, sum);
  };
  const timer = setInterval(sample, opts.sampleMs ?? 200);
  return new Promise((done, fail) => {
    child.on('error', (err) => {
      clearInterval(timer);
      rmSync(scratch, { recursive: true, force: true });
      fail(err);
    });
    child.on('close', (status) => {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      let peakKb = hwmKb;
      if (useTime && existsSync(timeOut)) {
        const m = /(\d+)\s*$/.exec(readFileSync(timeOut, 'utf8'));
        if (m) peakKb = Number(m[1]);
      }
      rmSync(scratch, { recursive: true, force: true });
      done({
        status,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        stderrLines,
        seconds,
        peakMb: Math.round(peakKb / 1024),
        treePeakMb: Math.round(Math.max(treePeakKb, peakKb) / 1024),
      });
    });
  });
}

/** measureProcess, failing the bench with the command and the tail of its stderr when it exits non-zero. */
export async function measureSucceeded(cmd: string, args: string[]): Promise<MeasuredProcess> {
  const r = await measureProcess(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  return r;
}

/** The median of the benches' repeated figures (the upper one of an even count). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
