'use client';
import { CartesianGrid, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ApiEvent } from '@/components/data/types';
import { axisTick, ChartFrame, COLORS, tooltipStyle } from '@/components/charts/frame';
import { formatDateTime, formatTick } from '@/lib/format/time';
import { isFailedMessage } from './derive';

interface Point {
  ts: number;
  lane: number;
  type: string;
  system: string;
  target: string;
  status: string;
}

const KINDS = [
  { key: 'ok', name: 'Business event', color: COLORS.p50, test: (e: ApiEvent) => !isFailedMessage(e) && !e.type.startsWith('exception.') && e.type !== 'sync.message' },
  { key: 'sync', name: 'Sync message', color: COLORS.ok, test: (e: ApiEvent) => e.type === 'sync.message' && !isFailedMessage(e) },
  { key: 'failed', name: 'Failed message', color: COLORS.dead, test: isFailedMessage },
  { key: 'exception', name: 'Exception event', color: COLORS.p95, test: (e: ApiEvent) => e.type.startsWith('exception.') },
] as const;

function TipContent({ active, payload, tz }: { active?: boolean; payload?: readonly { payload?: Point }[]; tz: string }) {
  const p = active ? payload?.[0]?.payload : undefined;
  if (!p) return null;
  return (
    <div style={tooltipStyle} className="px-2 py-1">
      <p className="font-semibold">{p.type}</p>
      <p>{formatDateTime(p.ts, tz, { seconds: true })}</p>
      <p>
        {p.system}
        {p.target ? ` → ${p.target}` : ''}
        {p.status ? ` · ${p.status}` : ''}
      </p>
    </div>
  );
}

/** One swimlane per source system; each dot an event at its occurred_at, failed messages in red. */
export function Timeline({ events, tz }: { events: readonly ApiEvent[]; tz: string }) {
  const lanes = [...new Set(events.map((e) => e.source_system))].sort();
  const laneOf = new Map(lanes.map((l, i) => [l, i]));
  const times = events.map((e) => Date.parse(e.occurred_at));
  const min = Math.min(...times);
  const max = Math.max(...times);
  const pad = Math.max((max - min) * 0.03, 60_000);
  const toPoint = (e: ApiEvent): Point => ({
    ts: Date.parse(e.occurred_at),
    lane: laneOf.get(e.source_system) ?? 0,
    type: e.type,
    system: e.source_system,
    target: e.target_system ?? '',
    status: typeof e.attributes.status === 'string' ? e.attributes.status : '',
  });
  const height = Math.max(140, 56 * lanes.length + 60);
  return (
    <ChartFrame label={`Timeline of ${events.length} events in ${lanes.length} swimlanes by source system: ${lanes.join(', ')}`}>
      <ScatterChart responsive style={{ width: '100%', height }} title="Correlation timeline" margin={{ top: 8, right: 24, bottom: 4, left: 8 }}>
        <CartesianGrid stroke="currentColor" strokeOpacity={0.15} />
        <XAxis dataKey="ts" type="number" domain={[min - pad, max + pad]} tick={axisTick} stroke="currentColor" tickFormatter={(v: number) => formatTick(v, max - min, tz)} name="time" />
        <YAxis
          dataKey="lane"
          type="number"
          domain={[-0.5, lanes.length - 0.5]}
          ticks={lanes.map((_, i) => i)}
          tickFormatter={(v: number) => lanes[v] ?? ''}
          tick={axisTick}
          stroke="currentColor"
          width={80}
          reversed
          name="system"
        />
        <Tooltip content={(props) => <TipContent active={props.active} payload={props.payload as readonly { payload?: Point }[] | undefined} tz={tz} />} />
        {KINDS.map((k) => {
          const data = events.filter(k.test).map(toPoint);
          return data.length ? <Scatter key={k.key} name={k.name} data={data} fill={k.color} isAnimationActive={false} /> : null;
        })}
      </ScatterChart>
      <ul className="mt-1 flex flex-wrap gap-3 text-xs" aria-hidden="true">
        {KINDS.map((k) => (
          <li key={k.key} className="flex items-center gap-1">
            <span className="inline-block h-2 w-2 rounded-full" style={{ background: k.color }} />
            {k.name}
          </li>
        ))}
      </ul>
    </ChartFrame>
  );
}
