// `rareflow serve` as a child process: started on a serving directory, ready once it prints its URL, stopped with a
// signal (SIGINT as Ctrl-C, SIGTERM as a supervisor does), with its stderr kept for asserts.

import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cliProcess.js';

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  stderr(): string;
  /** Sends `signal` and resolves with the exit code once the process has exited. */
  stop(signal: 'SIGINT' | 'SIGTERM'): Promise<number | null>;
}

export function startServeProcess(o: {
  home: string;
  servingDir: string;
  model: string;
  args?: string[];
  timeoutMs?: number;
}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--model', o.model, '--port', '0', ...(o.args ?? [])], {
    env: { ...process.env, RAREFLOW_HOME: o.home, RAREFLOW_SERVING: o.servingDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rareflow serve printed no URL within ${o.timeoutMs ?? 30_000} ms; stderr: ${stderr}`));
    }, o.timeoutMs ?? 30_000);
    child.stdout!.on('data', (d) => {
      stdout += d;
      const m = /at (http:\/\/\S+:\d+) /.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          pid: child.pid!,
          url: m[1]!.replace('0.0.0.0', '127.0.0.1'),
          stderr: () => stderr,
          stop: async (signal) => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`rareflow serve exited with ${code} before printing its URL: ${stderr}`));
    });
  });
}
