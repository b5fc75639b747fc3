'use client'
// "2 min ago" that stays true while the page is open; the exact time is in the tooltip.
import { useSyncExternalStore } from 'react'
import { formatDateTime, formatRelative } from '@/lib/format'

const TICK_MS = 15_000

function subscribe(onChange: () => void) {
  const id = setInterval(onChange, TICK_MS)
  return () => clearInterval(id)
}
// Rounded to the tick so the snapshot is stable between ticks (useSyncExternalStore requires it).
const clientNow = () => Math.floor(Date.now() / TICK_MS) * TICK_MS + TICK_MS / 2
const serverNow = () => 0

/** The current time, updated every 15 s; 0 during server rendering. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, clientNow, serverNow)
}

export function RelativeTime({ date, prefix, className }: { date: Date; prefix?: string; className?: string }) {
  const now = useNow()
  const text = now === 0 ? formatDateTime(date) : formatRelative(date, now)
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)} className={className} suppressHydrationWarning>
      {prefix ? `${prefix} ${text}` : text}
    </time>
  )
}
