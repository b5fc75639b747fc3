// Two small SVG charts, size and duration of the successful backups over time (oldest left):
// no chart library, one polyline with dots and the latest value in words.
import { formatBytes, formatSeconds, type BackupRow } from './types'

function Sparkline({ title, points, format, testId }: { title: string; points: Array<{ at: Date; value: number }>; format: (v: number) => string; testId: string }) {
  const width = 320
  const height = 72
  const pad = 6
  if (points.length === 0) {
    return (
      <figure className="rounded-md border p-3" data-testid={testId}>
        <figcaption className="text-xs text-muted-foreground">{title}</figcaption>
        <p className="py-5 text-center text-sm text-muted-foreground">No successful backups yet.</p>
      </figure>
    )
  }
  const largest = Math.max(...points.map((p) => p.value))
  const max = largest > 0 ? largest : 1
  const t0 = points[0].at.getTime()
  const span = Math.max(points[points.length - 1].at.getTime() - t0, 1)
  const xy = points.map((p) => [pad + ((p.at.getTime() - t0) / span) * (width - 2 * pad) * (points.length > 1 ? 1 : 0.5) + (points.length > 1 ? 0 : (width - 2 * pad) / 2), height - pad - (p.value / max) * (height - 2 * pad)] as const)
  const last = points[points.length - 1]
  return (
    <figure className="min-w-0 rounded-md border p-3" data-testid={testId}>
      <figcaption className="flex items-baseline justify-between gap-2 text-xs text-muted-foreground">
        <span>{title}</span>
        <span className="font-medium text-foreground tabular-nums">latest {format(last.value)} · max {format(largest)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} className="mt-2 h-18 w-full" role="img" aria-label={`${title}: ${points.length} backups, latest ${format(last.value)}, largest ${format(largest)}`} preserveAspectRatio="none">
        <line x1={pad} x2={width - pad} y1={height - pad} y2={height - pad} className="stroke-border" strokeWidth={1} />
        <polyline points={xy.map(([x, y]) => `${x},${y}`).join(' ')} fill="none" className="stroke-primary" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
        {xy.map(([x, y], i) => (
          <circle key={i} cx={x} cy={y} r={2} className="fill-primary">
            <title>{`${points[i].at.toLocaleString()}: ${format(points[i].value)}`}</title>
          </circle>
        ))}
      </svg>
    </figure>
  )
}

export function BackupCharts({ backups }: { backups: BackupRow[] }) {
  const ok = backups.filter((b) => b.status === 'SUCCEEDED' || b.status === 'PRUNED').slice().reverse()
  return (
    <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
      <Sparkline title="Size" testId="chart-size" points={ok.filter((b) => b.sizeBytes !== null).map((b) => ({ at: b.startedAt, value: b.sizeBytes! }))} format={formatBytes} />
      <Sparkline title="Duration" testId="chart-duration" points={ok.filter((b) => b.durationMs !== null).map((b) => ({ at: b.startedAt, value: b.durationMs! / 1000 }))} format={formatSeconds} />
    </div>
  )
}
