// The demo's model name for one run (client/demo.ts): the default, or a fresh one when an earlier run left a champion.

import { Registry } from '../data/registry.js';

/**
 * The model name this run uses: `base`, unless an earlier demo run left a champion under it. The first retrain would
 * then meet a canary against that champion before the scoring service runs, see no traffic and be rolled back, so a
 * second `npm run demo` in one checkout failed. The earlier runs stay as they were; this one takes `base-2`, `-3`…
 */
export async function freshModelName(registryPath: string, base: string): Promise<string> {
  const registry = await Registry.open(registryPath);
  try {
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      if (!(await registry.champion(name))) return name;
    }
  } finally {
    await registry.close();
  }
}
