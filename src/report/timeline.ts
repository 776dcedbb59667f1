/**
 * The study report's timeline: one bar per trial attempt from when it was
 * handed out (`startedAt`) to when it ended (`finishedAt`; a trial still
 * running ends at the report's time), on lanes, one lane per worker.
 *
 * Lanes: the store records no worker slot, so lanes are assigned by greedy
 * interval partitioning: in order of start (ties: trial id), each bar takes
 * the lowest lane free at its start (a lane is free from the end of its last
 * bar on). This uses as many lanes as the most trials that ran at once, so
 * `mixopt run --parallel N` shows at most N lanes, and a sequential study one.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TrialRecord } from '../core/index.ts';

/** A bar on the timeline (times in ms since the epoch, the store's clock). */
export interface TimelineBar {
  readonly trial: number;
  readonly lane: number;
  readonly start: number;
  readonly end: number;
  readonly state: string;
  readonly scale: string;
}

/**
 * Lanes for intervals `[start, end)` (module comment): the lane of each, in
 * input order.
 */
export function assignLanes(
  intervals: readonly { readonly id: number; readonly start: number; readonly end: number }[],
): number[] {
  const order = intervals
    .map((_, i) => i)
    .sort((a, b) => {
      const x = intervals[a] as { id: number; start: number };
      const y = intervals[b] as { id: number; start: number };
      return x.start - y.start || x.id - y.id;
    });
  const laneEnds: number[] = [];
  const lanes = new Array<number>(intervals.length).fill(0);
  for (const i of order) {
    const iv = intervals[i] as { start: number; end: number };
    let lane = laneEnds.findIndex((e) => e <= iv.start);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(iv.end);
    } else laneEnds[lane] = iv.end;
    lanes[i] = lane;
  }
  return lanes;
}

/** The bars of the trials that have started; a running one ends at `now`. */
export function timelineBars(trials: readonly TrialRecord[], now: number): TimelineBar[] {
  const started = trials.filter((t) => t.startedAt !== undefined);
  const spans = started.map((t) => ({
    id: t.id,
    start: t.startedAt as number,
    end: Math.max(
      t.startedAt as number,
      t.finishedAt ?? (t.state === 'running' ? now : t.updatedAt),
    ),
  }));
  const lanes = assignLanes(spans);
  return started.map((t, i) => ({
    trial: t.id,
    lane: lanes[i] as number,
    start: (spans[i] as { start: number }).start,
    end: (spans[i] as { end: number }).end,
    state: t.state,
    scale: t.scale,
  }));
}

/** The timeline chart: time (from the first start, in hours) across, lanes down, bars coloured by scale. */
export function timelineSpec(
  bars: readonly TimelineBar[],
  scales: readonly string[],
): TopLevelSpec {
  const t0 = bars.reduce((m, b) => Math.min(m, b.start), Number.POSITIVE_INFINITY);
  const rows = bars.map((b) => ({
    trial: b.trial,
    worker: b.lane + 1,
    from: (b.start - t0) / 3.6e6,
    to: (b.end - t0) / 3.6e6,
    state: b.state,
    scale: b.scale,
  }));
  const lanes = new Set(bars.map((b) => b.lane)).size;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    width: 640,
    height: Math.max(60, 18 * lanes),
    data: { values: rows },
    mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      y: { field: 'worker', type: 'ordinal', title: 'worker (lane)' },
      x: { field: 'from', type: 'quantitative', title: 'hours since the first trial started' },
      x2: { field: 'to' },
      color: {
        field: 'scale',
        type: 'ordinal',
        sort: [...scales],
        scale: { domain: [...scales], scheme: 'viridis' },
        title: 'scale',
      },
      opacity: {
        condition: { test: "datum.state === 'failed'", value: 0.4 },
        value: 0.9,
      },
      tooltip: [
        { field: 'trial' },
        { field: 'scale' },
        { field: 'state' },
        { field: 'from', format: '.2f' },
        { field: 'to', format: '.2f' },
      ],
    },
  } as unknown as TopLevelSpec;
}
