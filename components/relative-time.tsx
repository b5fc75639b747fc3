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

// One interval per period, shared by every component that asks for it.
const subscribers = new Map<number, (onChange: () => void) => () => void>()

function subscribeEvery(intervalMs: number) {
  let subscribe = subscribers.get(intervalMs)
  if (!subscribe) {
    const listeners = new Set<() => void>()
    let id: ReturnType<typeof setInterval> | null = null
    subscribe = (onChange) => {
      listeners.add(onChange)
      id ??= setInterval(() => listeners.forEach((listener) => listener()), intervalMs)
      return () => {
        listeners.delete(onChange)
        if (listeners.size === 0 && id !== null) {
          clearInterval(id)
          id = null
        }
      }
    }
    subscribers.set(intervalMs, subscribe)
  }
  return subscribe
}

const noSubscription = () => () => {}

/**
 * The current time, updated every `intervalMs` while `live` (the duration of a running
 * step, uptimes); 0 during server rendering. Not live: it stops ticking.
 */
export function useLiveNow(intervalMs: number, live = true): number {
  return useSyncExternalStore(
    live ? subscribeEvery(intervalMs) : noSubscription,
    () => Math.floor(Date.now() / intervalMs) * intervalMs,
    serverNow,
  )
}
