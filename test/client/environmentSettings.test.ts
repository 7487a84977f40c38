// Settings read from the environment are checked where they are read: a value that is not one (a port of "abc", a
// log level of "loud") is refused naming the variable, instead of a Node error (exit 3) or every log line at TRACE.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { logLevelOf, temporalPortOf } from '../../infra/rareflowConfig.js';
import { connectionFailure, externalTemporalTarget } from '../../infra/temporalServer.js';
import { runCli } from '../support/cliProcess.js';

describe('environment settings', () => {
  it('reads RAREFLOW_TEMPORAL_PORT as a port from 0 to 65535, 7233 when unset', () => {
    expect(temporalPortOf(undefined)).toBe(7233);
    expect(temporalPortOf(' 7400 ')).toBe(7400);
    expect(temporalPortOf('0')).toBe(0);
    for (const bad of ['abc', '70000', '-1', '7233.5', '0x1F'])
      expect(() => temporalPortOf(bad)).toThrow(
        `RAREFLOW_TEMPORAL_PORT is ${JSON.stringify(bad)}: expected a port number from 0 to 65535 (0: any free port)`,
      );
    expect(() => temporalPortOf('abc')).toThrow(InvalidInputError);
  });

  it('reads RAREFLOW_LOG_LEVEL in any case, WARN when unset', () => {
    expect(logLevelOf(undefined)).toBe('WARN');
    expect(logLevelOf('info')).toBe('INFO');
    expect(() => logLevelOf('loud')).toThrow('RAREFLOW_LOG_LEVEL is "loud": expected one of TRACE, DEBUG, INFO, WARN, ERROR');
  });

  it('reads TEMPORAL_ADDRESS as host:port, refusing anything else by name', () => {
    expect(externalTemporalTarget({ TEMPORAL_ADDRESS: 'temporal.example.com:7233' })?.address).toBe('temporal.example.com:7233');
    expect(externalTemporalTarget({ TEMPORAL_ADDRESS: '[::1]:7233' })?.address).toBe('[::1]:7233');
    // The SDK's own forms: no port (7233), a Compose service name with an underscore.
    expect(externalTemporalTarget({ TEMPORAL_ADDRESS: 'temporal.example.com' })?.address).toBe('temporal.example.com');
    expect(externalTemporalTarget({ TEMPORAL_ADDRESS: 'temporal_frontend:7233' })?.address).toBe('temporal_frontend:7233');
    expect(externalTemporalTarget({ TEMPORAL_ADDRESS: '' })).toBeUndefined();
    for (const bad of ['not a host', 'http://h:7233', 'h:0', 'h:99999', 'h:72x'])
      expect(() => externalTemporalTarget({ TEMPORAL_ADDRESS: bad })).toThrow(
        `TEMPORAL_ADDRESS is ${JSON.stringify(bad)}: expected host:port of a Temporal frontend, such as temporal.example.com:7233 (the port defaults to 7233); unset it to use the embedded server`,
      );
    expect(() => externalTemporalTarget({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CERT: '/x.pem' })).toThrow(InvalidInputError);
  });

  it('names the address a failed connection tried, and where it came from', () => {
    const cluster = externalTemporalTarget({ TEMPORAL_ADDRESS: 'localhost:1' })!;
    const failed = connectionFailure(cluster, new Error('Failed to connect before the deadline'));
    expect(failed.message).toBe(
      'cannot connect to the Temporal server of TEMPORAL_ADDRESS at localhost:1: Failed to connect before the deadline',
    );
    expect(failed).not.toBeInstanceOf(InvalidInputError); // an infrastructure failure: exit 3
  });

  it('refuses a bad port with exit 2 before starting anything', async () => {
    const home = mkdtempSync(join(tmpdir(), 'rareflow-env-'));
    const r = await runCli(['status', '--model', 'x'], { cwd: home, env: { RAREFLOW_HOME: home, RAREFLOW_TEMPORAL_PORT: 'abc' } });
    rmSync(home, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rareflow status: RAREFLOW_TEMPORAL_PORT is "abc": expected a port number from 0 to 65535 (0: any free port)\n');
  });
});
