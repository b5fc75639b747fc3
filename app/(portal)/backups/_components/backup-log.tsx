'use client'
// The log of one backup or restore (mount it with a key per subject), read every second after the last line seen while it
// runs (once more when it ends), in the monospace style of the deployment log.
import { useEffect, useRef, useState } from 'react'
import { formatClock } from '@/lib/format'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPCClient } from '@/lib/trpc'
import { cn } from '@/lib/utils'

type Line = { id: string; at: Date; level: string; message: string }

export function BackupLog({ subject, active }: { subject: { backupId: string } | { restoreId: string }; active: boolean }) {
  const client = useTRPCClient()
  const [lines, setLines] = useState<Line[]>([])
  const [error, setError] = useState<string | null>(null)
  const cursor = useRef('')
  const backupId = 'backupId' in subject ? subject.backupId : undefined
  const restoreId = 'restoreId' in subject ? subject.restoreId : undefined
  const box = useRef<HTMLDivElement>(null)

  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    async function tick() {
      try {
        const page = await client.backup.logs.query({ backupId, restoreId, afterId: cursor.current })
        if (stopped) return
        if (page.length > 0) {
          cursor.current = page[page.length - 1].id
          setLines((prev) => [...prev, ...page])
        }
        setError(null)
      } catch (e) {
        if (!stopped) setError(errorMessageFrom(e))
      }
      if (!stopped && active) timer = setTimeout(tick, 1_000)
    }
    void tick()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [client, backupId, restoreId, active])

  useEffect(() => {
    box.current?.scrollTo({ top: box.current.scrollHeight })
  }, [lines.length])

  return (
    <div ref={box} className="max-h-64 overflow-auto rounded-md border bg-muted/40 p-3 font-mono text-xs leading-relaxed" data-testid="backup-log" aria-live="polite">
      {error && <p className="text-danger">Could not read the log: {error}</p>}
      {lines.length === 0 && !error && <p className="text-muted-foreground">No log lines yet.</p>}
      {lines.map((l) => (
        <p key={l.id} className={cn('break-words whitespace-pre-wrap', l.level === 'error' && 'text-danger', l.level === 'warn' && 'text-warning')}>
          <span className="text-muted-foreground">{formatClock(l.at)} </span>
          {l.message}
        </p>
      ))}
    </div>
  )
}
