// Run before `npm test`: the run-report test renders HTML in a real headless Chromium. When none is on PATH and we
// are root on a Debian-like machine (CI, our dev machines), install Debian's package; otherwise say how.
import { execFileSync, spawnSync } from 'node:child_process';

const names = ['chromium', 'chromium-browser', 'google-chrome'];
const found = names.find((n) => spawnSync('which', [n]).status === 0);
if (found) process.exit(0);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (root && spawnSync('which', ['apt-get']).status === 0) {
  process.stderr.write('installing Debian chromium for the run-report browser test (apt-get) ...\n');
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    process.exit(0);
  } catch (err) {
    process.stderr.write(`could not install chromium (${err.message}); the run-report browser test will not run\n`);
    process.exit(0);
  }
}
process.stderr.write('no chromium on PATH: the run-report browser test will not run (install chromium to include it)\n');
