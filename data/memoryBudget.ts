// The memory budget stages are checked against: RAREFLOW_MEMORY_BUDGET (bytes, or with a K/M/G/T suffix), else
// 60% of the machine's memory, or of the cgroup (container) limit when that is smaller.

import { totalmem } from 'node:os';
import { InvalidInputError } from '../core/invalidInputError.js';
import { formatBytes, type MemoryBudget } from '../core/resources/memoryEstimate.js';

export const MEMORY_BUDGET_ENV = 'RAREFLOW_MEMORY_BUDGET';
const DEFAULT_SHARE = 0.6;
const SUFFIX: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** "8G", "512M", "1.5GiB", "2000000000" → bytes (suffixes are powers of 1024). */
export function parseByteSize(text: string, name = MEMORY_BUDGET_ENV): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  const bytes = m ? Number(m[1]) * SUFFIX[m[2]!.toUpperCase()]! : Number.NaN;
  if (!Number.isFinite(bytes) || bytes < 1) {
    throw new InvalidInputError(name, `${name}: expected a size in bytes such as 8G, 512M or 2000000000, got "${text}"`);
  }
  return Math.floor(bytes);
}

/** The machine's memory, or the cgroup limit when one is set and smaller (process.constrainedMemory). */
function machineMemory(): { bytes: number; what: string } {
  const total = totalmem();
  const limit = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : undefined;
  if (limit !== undefined && limit > 0 && limit < total) return { bytes: limit, what: 'the container memory limit' };
  return { bytes: total, what: 'machine memory' };
}

export function memoryBudget(env: NodeJS.ProcessEnv = process.env): MemoryBudget {
  const set = env[MEMORY_BUDGET_ENV];
  if (set !== undefined && set.trim() !== '') return { bytes: parseByteSize(set), source: `${MEMORY_BUDGET_ENV}=${set.trim()}` };
  const machine = machineMemory();
  return { bytes: Math.floor(machine.bytes * DEFAULT_SHARE), source: `default: 60% of ${formatBytes(machine.bytes)} of ${machine.what}` };
}
