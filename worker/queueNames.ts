// The queues a `rareflow worker` process may serve, by their short CLI names (a module of its own, so the CLI
// checks --queues without loading the Temporal worker).

/** workflows: workflow tasks only; compute: heavy activities (scale out); registry: exactly one process. */
export const QUEUE_NAMES = ['workflows', 'compute', 'registry'] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];

/** Whether `name` is one of QUEUE_NAMES. */
export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}
