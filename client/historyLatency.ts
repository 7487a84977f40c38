// Orchestration overhead read from a workflow's history: per activity, schedule-to-start latency and the
// completion latency (activity completed → the workflow task that reacts to it completed).

import proto from '@temporalio/proto';

const { temporal } = proto;

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

export interface ActivityLatency {
  activity: string;
  scheduleToStartMs: number;
  runMs: number;
  completionLatencyMs: number;
}

/** The event's time in epoch milliseconds (0 when the event has none). */
export function eventTimeMs(e: HistoryEvent): number {
  const t = e.eventTime;
  if (!t) return 0;
  return Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6);
}

export function activityLatencies(events: HistoryEvent[]): ActivityLatency[] {
  const scheduled = new Map<string, { name: string; at: number }>();
  const started = new Map<string, number>();
  const out: ActivityLatency[] = [];
  events.forEach((e, index) => {
    const id = String(e.eventId);
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      scheduled.set(id, { name: e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?', at: eventTimeMs(e) });
    } else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      started.set(String(e.activityTaskStartedEventAttributes?.scheduledEventId), eventTimeMs(e));
    } else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
      const key = String(e.activityTaskCompletedEventAttributes?.scheduledEventId);
      const s = scheduled.get(key);
      const st = started.get(key);
      if (!s || st === undefined) return;
      const done = eventTimeMs(e);
      const reaction = events.slice(index + 1).find((n) => n.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
      out.push({
        activity: s.name,
        scheduleToStartMs: st - s.at,
        runMs: done - st,
        completionLatencyMs: reaction ? eventTimeMs(reaction) - done : 0,
      });
    }
  });
  return out;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
