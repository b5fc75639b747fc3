'use client'
// A small native SVG line chart for Prometheus range-query results: up to 8 series, y axis
// with three gridlines in the metric's unit, time axis labels, a legend. No chart library.
import { useId } from 'react'

export type ChartUnit = 'per-second' | 'seconds' | 'ratio' | 'cores' | 'bytes' | 'count'
export type ChartSeries = { label: string; points: Array<[number, number]> }

// Distinct in light and dark themes and for common colour-vision deficiencies.
const COLOURS = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626']

export function formatValue(v: number, unit: ChartUnit): string {
  if (!Number.isFinite(v)) return '—'
  const short = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2))
  switch (unit) {
    case 'seconds':
      return v < 1 ? `${short(v * 1000)} ms` : `${short(v)} s`
    case 'ratio':
      return `${short(v * 100)} %`
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
      let i = 0
      let n = v
      while (Math.abs(n) >= 1024 && i < units.length - 1) {
        n /= 1024
        i++
      }
      return `${short(n)} ${units[i]}`
    }
    case 'per-second':
      return `${short(v)}/s`
    case 'cores':
      return `${short(v)} cores`
    default:
      return short(v)
  }
}

const clock = (t: number) => new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })

export function PromChart({ series, unit, title, height = 140 }: { series: ChartSeries[]; unit: ChartUnit; title: string; height?: number }) {
  const id = useId()
  const width = 480
  const pad = { left: 68, right: 8, top: 8, bottom: 24 }
  const all = series.flatMap((s) => s.points)
  if (all.length === 0) return null
  const t0 = Math.min(...all.map(([t]) => t))
  const t1 = Math.max(...all.map(([t]) => t))
  const vMax = Math.max(...all.map(([, v]) => v), 0)
  const vMin = Math.min(...all.map(([, v]) => v), 0)
  // Headroom above the highest value, so a flat line does not hide under the top gridline.
  const top = vMax === vMin ? vMax + 1 : vMax + (vMax - vMin) * 0.15
  // A single instant is drawn at the right edge (now), not the left.
  const x = (t: number) => (t1 === t0 ? width - pad.right - 4 : pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right - 4))
  const y = (v: number) => pad.top + (1 - (v - vMin) / (top - vMin)) * (height - pad.top - pad.bottom)
  const grid = [vMin, (vMin + top) / 2, top]
  const latest = series.map((s) => s.points.at(-1)?.[1] ?? Number.NaN)

  return (
    <figure className="grid gap-2" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="sr-only">
        {title}: {series.map((s, i) => `${s.label} ${formatValue(latest[i], unit)}`).join(', ')}
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} className="h-auto w-full text-muted-foreground" role="img" aria-labelledby={`${id}-title`}>
        {grid.map((g, i) => (
          <g key={i}>
            <line x1={pad.left} x2={width - pad.right} y1={y(g)} y2={y(g)} stroke="currentColor" strokeOpacity={0.2} strokeDasharray={i === 0 ? undefined : '3 3'} />
            <text x={pad.left - 6} y={y(g)} dy="0.32em" textAnchor="end" fontSize="11" fill="currentColor">
              {formatValue(g, unit)}
            </text>
          </g>
        ))}
        <text x={pad.left} y={height - 6} fontSize="11" fill="currentColor">
          {clock(t0)}
        </text>
        <text x={width - pad.right} y={height - 6} fontSize="11" textAnchor="end" fill="currentColor">
          {clock(t1)}
        </text>
        {series.map((s, i) => (
          <polyline
            key={s.label}
            fill="none"
            stroke={COLOURS[i % COLOURS.length]}
            strokeWidth={1.75}
            strokeLinejoin="round"
            points={s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
          />
        ))}
        {/* The newest value as a dot: visible even when a series has a single point so far. */}
        {series.map((s, i) => {
          const last = s.points.at(-1)
          return last ? <circle key={`${s.label}-last`} cx={x(last[0])} cy={y(last[1])} r={3} fill={COLOURS[i % COLOURS.length]} /> : null
        })}
      </svg>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs">
        {series.map((s, i) => (
          <li key={s.label} className="flex min-w-0 items-center gap-1.5">
            <span aria-hidden className="inline-block h-0.5 w-3 shrink-0 rounded" style={{ backgroundColor: COLOURS[i % COLOURS.length] }} />
            <span className="truncate text-muted-foreground">{s.label}</span>
            <span className="font-medium tabular-nums">{formatValue(latest[i], unit)}</span>
          </li>
        ))}
      </ul>
    </figure>
  )
}
