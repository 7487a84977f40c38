// Synthetic-row lineage in the registry: for each row ADASYN made, its parent row, neighbour row and lambda,
// appended in bulk per run and artifact.

import { InvalidInputError } from '../core/invalidInputError.js';
import { toNumber } from './duckdbConnection.js';
import { selectRows, type RegistryConnection } from './registryConnection.js';

/**
 * Lineage of synthetic rows: synthetic row i came from `parent[i]` and `neighbour[i]` at interpolation `lambda[i]`.
 * Appended in bulk; a retry replaces the earlier rows of this run and artifact instead of adding to them.
 */
export function recordLineage(
  db: RegistryConnection,
  runId: string,
  syntheticSha256: string,
  parent: Int32Array,
  neighbour: Int32Array,
  lambda: Float64Array,
): Promise<number> {
  const n = parent.length;
  if (neighbour.length !== n || lambda.length !== n) {
    return Promise.reject(
      new InvalidInputError(
        'lineage',
        `lineage arrays must have one entry per synthetic row: parent has ${n}, neighbour ${neighbour.length}, lambda ${lambda.length}`,
      ),
    );
  }
  return db.write(async (c) => {
    const row = new Int32Array(n);
    for (let i = 0; i < n; i++) row[i] = i;
    const zeros = new Uint8Array(n);
    await db.inTransaction(c, async () => {
      await c.run(`DELETE FROM lineage WHERE run_id = $1 AND synthetic_artifact_sha256 = $2`, [runId, syntheticSha256]);
      await c.appendColumns('lineage', n, [
        { name: 'run_id', kind: 'coded', codes: zeros, dictionary: [runId] },
        { name: 'synthetic_artifact_sha256', kind: 'coded', codes: zeros, dictionary: [syntheticSha256] },
        { name: 'row', kind: 'integer', values: row },
        { name: 'parent_row', kind: 'integer', values: parent },
        { name: 'neighbour_row', kind: 'integer', values: neighbour },
        { name: 'lambda', kind: 'double', values: lambda },
      ]);
    });
    return n;
  });
}

/** Number of lineage rows stored for a synthetic artifact. */
export function lineageCount(db: RegistryConnection, syntheticSha256: string): Promise<number> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT count(*) AS n FROM lineage WHERE synthetic_artifact_sha256 = $1`, [syntheticSha256]);
    return toNumber(rows[0]?.n);
  });
}

/** Number of lineage rows stored for the synthetic rows of one run. */
export function lineageRunCount(db: RegistryConnection, runId: string): Promise<number> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT count(*) AS n FROM lineage WHERE run_id = $1`, [runId]);
    return toNumber(rows[0]?.n);
  });
}
