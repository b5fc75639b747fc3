'use client'
// The deployment's log as the engine writes it: read every second after the last line seen
// (a bigint cursor) while the deployment runs, once more when it ends. Follows the newest
// line unless the reader scrolled up or paused; a search box filters and highlights.
import { Pause, Play, ArrowDownToLine, Search, X } from 'lucide-react'
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { formatClock, formatDateTime, plural } from '@/lib/format'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPCClient } from '@/lib/trpc'
import { cn } from '@/lib/utils'
import type { DeploymentLogLine } from '../../_components/types'

const POLL_MS = 1_000
const PAGE = 500
// Within this many pixels of the bottom counts as "at the bottom" (following).
const FOLLOW_SLACK_PX = 24

function useDeploymentLog(deploymentId: string, active: boolean) {
  const client = useTRPCClient()
  const [lines, setLines] = useState<DeploymentLogLine[]>([])
  const [error, setError] = useState<string | null>(null)
  const cursor = useRef<bigint | undefined>(undefined)

  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    // Reads until a short page says there is nothing more right now.
    async function drain() {
      for (;;) {
        const page = await client.deployment.logs.query({ deploymentId, afterId: cursor.current, limit: PAGE })
        if (stopped) return
        const after = cursor.current
        const fresh = after === undefined ? page.lines : page.lines.filter((l) => l.id > after)
        if (fresh.length > 0) {
          cursor.current = fresh[fresh.length - 1].id
          setLines((prev) => [...prev, ...fresh])
        }
        if (page.lines.length < PAGE) return
      }
    }
    async function tick() {
      try {
        await drain()
        if (!stopped) setError(null)
      } catch (e) {
        if (!stopped) setError(errorMessageFrom(e))
      }
      // While active, keep polling; once ended, this effect ran for the final read only.
      if (!stopped && active) timer = setTimeout(tick, POLL_MS)
    }
    void tick()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [client, deploymentId, active])

  return { lines, error }
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function highlight(text: string, pattern: RegExp | null): ReactNode {
  if (!pattern) return text
  const parts = text.split(pattern)
  return parts.map((part, i) =>
    i % 2 === 1 ? (
      <mark key={i} className="rounded-sm bg-warning/30 text-foreground">
        {part}
      </mark>
    ) : (
      part
    ),
  )
}

const LEVEL_CLASSES: Record<string, string> = {
  warn: 'text-warning',
  error: 'bg-danger/5 text-danger dark:bg-danger/10',
}

export function DeploymentLog({ deploymentId, active }: { deploymentId: string; active: boolean }) {
  const { lines, error } = useDeploymentLog(deploymentId, active)
  const [query, setQuery] = useState('')
  const [paused, setPaused] = useState(false)
  const [atBottom, setAtBottom] = useState(true)
  const [seen, setSeen] = useState(0)
  const scroller = useRef<HTMLDivElement>(null)
  const following = !paused && atBottom

  const needle = query.trim()
  const pattern = useMemo(() => (needle ? new RegExp(`(${escapeRegExp(needle)})`, 'i') : null), [needle])
  const shown = useMemo(
    () => (needle ? lines.filter((l) => `${l.step ?? ''} ${l.level} ${l.message}`.toLowerCase().includes(needle.toLowerCase())) : lines),
    [lines, needle],
  )

  // Keep the newest line in view while following: when lines arrive, and when they re-wrap
  // (the panel was resized).
  useLayoutEffect(() => {
    const el = scroller.current
    if (!el || !following) return
    el.scrollTop = el.scrollHeight
    const observer = new ResizeObserver(() => {
      el.scrollTop = el.scrollHeight
    })
    observer.observe(el)
    if (el.firstElementChild) observer.observe(el.firstElementChild)
    return () => observer.disconnect()
  }, [shown.length, following])

  // Lines that arrived since the reader stopped following: counted on the "new lines" button.
  const unseen = following ? 0 : Math.max(0, shown.length - seen)

  function jumpToLatest() {
    setPaused(false)
    setAtBottom(true)
    const el = scroller.current
    if (el) el.scrollTop = el.scrollHeight
  }

  return (
    <div className="grid min-w-0 grid-cols-1 gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <div className="relative w-full sm:w-72">
          <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" />
          <Input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Search the log…"
            aria-label="Search the log"
            className="h-8 pr-8 pl-8"
          />
          {query && (
            <button
              type="button"
              onClick={() => setQuery('')}
              aria-label="Clear the search"
              className="absolute top-1/2 right-2 -translate-y-1/2 rounded-sm text-muted-foreground hover:text-foreground"
            >
              <X aria-hidden className="size-4" />
            </button>
          )}
        </div>
        <span className="text-xs text-muted-foreground tabular-nums" aria-live="polite">
          {needle ? `${shown.length} of ${plural(lines.length, 'line')} match` : plural(lines.length, 'line')}
        </span>
        {active && (
          <div className="ml-auto flex items-center gap-2">
            <span className={cn('flex items-center gap-1.5 text-xs', following ? 'text-success' : 'text-muted-foreground')}>
              <span className={cn('size-2 rounded-full', following ? 'animate-pulse bg-success' : 'bg-muted-foreground/50')} aria-hidden />
              {following ? 'Following' : paused ? 'Paused' : 'Not following'}
            </span>
            {paused ? (
              <Button variant="outline" size="sm" onClick={jumpToLatest}>
                <Play aria-hidden /> Resume
              </Button>
            ) : (
              <Button
                variant="outline"
                size="sm"
                onClick={() => {
                  if (following) setSeen(shown.length)
                  setPaused(true)
                }}
              >
                <Pause aria-hidden /> Pause
              </Button>
            )}
          </div>
        )}
      </div>

      <div className="relative">
        <div
          ref={scroller}
          role="log"
          aria-label="Deployment log"
          aria-live={active && following ? 'polite' : 'off'}
          tabIndex={0}
          onScroll={(e) => {
            const el = e.currentTarget
            const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_SLACK_PX
            if (!bottom && following) setSeen(shown.length)
            setAtBottom(bottom)
          }}
          className={cn(
            'overflow-auto rounded-lg border bg-muted/40 py-2 font-mono text-xs leading-5 outline-none focus-visible:ring-2 focus-visible:ring-ring',
            // A fixed height while lines arrive (nothing jumps); a finished log takes the room it needs.
            active ? 'h-96 sm:h-[28rem]' : 'max-h-[32rem]',
          )}
        >
          <div>
            {shown.length === 0 ? (
              <p className="px-3 py-2 font-sans text-sm text-muted-foreground">
                {lines.length === 0
                  ? active
                    ? 'No lines yet: the worker writes here as soon as it picks the deployment up.'
                    : 'This deployment wrote no log lines.'
                  : `No line contains “${needle}”.`}
              </p>
            ) : (
              shown.map((line) => (
                <div key={String(line.id)} data-level={line.level} className={cn('grid grid-cols-[auto_1fr] gap-x-3 px-3 sm:grid-cols-[auto_5.5rem_1fr]', LEVEL_CLASSES[line.level])}>
                  <time dateTime={line.at.toISOString()} title={formatDateTime(line.at)} className="text-muted-foreground tabular-nums select-none">
                    {formatClock(line.at)}
                  </time>
                  <span className="hidden truncate text-muted-foreground sm:block">{line.step ?? ''}</span>
                  <span className="min-w-0 break-words whitespace-pre-wrap">
                    {line.level !== 'info' && <span className="mr-1.5 font-semibold uppercase">{line.level}</span>}
                    {highlight(line.message, pattern)}
                  </span>
                </div>
              ))
            )}
          </div>
        </div>
        {!following && unseen > 0 && (
          <Button size="sm" className="absolute right-4 bottom-3 shadow-md" onClick={jumpToLatest}>
            <ArrowDownToLine aria-hidden /> {plural(unseen, 'new line')}
          </Button>
        )}
        {!following && unseen === 0 && !paused && (
          <Button size="sm" variant="outline" className="absolute right-4 bottom-3 shadow-md" onClick={jumpToLatest}>
            <ArrowDownToLine aria-hidden /> Jump to latest
          </Button>
        )}
      </div>
      {error && <p className="text-xs text-danger">Could not read new log lines: {error} Retrying every second.</p>}
    </div>
  )
}
