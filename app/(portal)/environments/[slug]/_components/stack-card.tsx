'use client'
// The environment's stack: which compose version deploys use, its services and the
// variables each release must supply, the YAML itself (folded away), and for admins the
// editor. Without a stack: an empty state that says what to paste.
import { ChevronDown, ChevronRight, FileCode, Layers, Pencil } from 'lucide-react'
import { useId, useState, type ReactNode } from 'react'
import { EmptyState } from '@/components/empty-state'
import { RelativeTime } from '@/components/relative-time'
import { Button } from '@/components/ui/button'
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { formatDateTime, plural } from '@/lib/format'
import type { StackView } from '../../../deployments/_components/types'
import { EditStackDialog } from './edit-stack-dialog'

const SOURCE_WORDS: Record<string, string> = { pasted: 'pasted', uploaded: 'uploaded' }

function sourceWords(source: string): string {
  return SOURCE_WORDS[source] ?? (source.startsWith('template:') ? `from template ${source.slice('template:'.length)}` : source)
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid min-w-0 grid-cols-1 content-start gap-1.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="flex min-w-0 flex-wrap gap-1.5 text-sm">{children}</dd>
    </div>
  )
}

export function Chip({ children, title }: { children: ReactNode; title?: string }) {
  return (
    <span title={title} className="inline-flex max-w-full items-center truncate rounded-md border bg-muted/50 px-1.5 py-0.5 font-mono text-xs">
      {children}
    </span>
  )
}

/** The compose file with line numbers, read-only. */
export function YamlBlock({ yaml, id, className }: { yaml: string; id?: string; className?: string }) {
  const lines = yaml.replace(/\n$/, '').split('\n')
  const width = String(lines.length).length
  return (
    <pre id={id} className={`max-h-[28rem] overflow-auto rounded-lg border bg-muted/40 py-3 font-mono text-xs leading-5 ${className ?? ''}`}>
      <code className="grid grid-cols-1">
        {lines.map((line, i) => (
          <span key={i} className="flex">
            <span aria-hidden className="sticky left-0 shrink-0 bg-muted/90 pr-3 pl-3 text-right text-muted-foreground/70 select-none" style={{ width: `${width + 2.5}ch` }}>
              {i + 1}
            </span>
            <span className="pr-4 whitespace-pre">{line || ' '}</span>
          </span>
        ))}
      </code>
    </pre>
  )
}

export function StackCard({
  environment,
  stack,
  canManage,
}: {
  environment: { id: string; name: string }
  stack: StackView | null
  canManage: boolean
}) {
  const [editing, setEditing] = useState(false)
  const [showYaml, setShowYaml] = useState(false)
  const yamlId = useId()

  const dialog = canManage && (
    <EditStackDialog open={editing} onOpenChange={setEditing} environment={environment} current={stack?.latest ?? null} />
  )

  if (!stack) {
    return (
      <Card className="gap-4">
        <CardHeader>
          <CardTitle>Stack</CardTitle>
          <CardDescription>The compose file deploys run.</CardDescription>
        </CardHeader>
        <CardContent>
          <EmptyState
            icon={Layers}
            title="No stack yet"
            className="py-8"
            description={
              canManage
                ? 'Paste the compose file of the trading stack: its services, images and healthchecks. Deploys always use the latest saved version.'
                : 'An administrator pastes the compose file for this environment; after that, operators can deploy releases of it.'
            }
          >
            {canManage && (
              <Button onClick={() => setEditing(true)}>
                <FileCode aria-hidden />
                Paste a compose file
              </Button>
            )}
          </EmptyState>
        </CardContent>
        {dialog}
      </Card>
    )
  }

  const { latest } = stack
  const lineCount = latest.composeYaml.replace(/\n$/, '').split('\n').length
  return (
    <Card className="gap-4">
      <CardHeader>
        <CardTitle>Stack</CardTitle>
        <CardDescription>
          Version {latest.version} · {sourceWords(latest.source)} ·{' '}
          <span title={formatDateTime(latest.createdAt)}>
            saved <RelativeTime date={latest.createdAt} />
          </span>
          {latest.note && <span> · {latest.note}</span>}
        </CardDescription>
        {canManage && (
          <CardAction>
            <Button variant="outline" size="sm" onClick={() => setEditing(true)}>
              <Pencil aria-hidden />
              Edit stack
            </Button>
          </CardAction>
        )}
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <dl className="grid grid-cols-1 gap-4 sm:grid-cols-3">
          <Fact label="Services">
            {stack.services.length ? stack.services.map((s) => <Chip key={s}>{s}</Chip>) : <span className="text-muted-foreground">None</span>}
          </Fact>
          <Fact label="Release variables (asked for at each deploy)">
            {stack.requiredVariables.length ? (
              stack.requiredVariables.map((v) => <Chip key={v}>{v}</Chip>)
            ) : (
              <span className="text-muted-foreground">None: every release is the same file</span>
            )}
          </Fact>
          <Fact label="Earlier versions">
            <span className="text-muted-foreground">
              {stack.history.length ? `${stack.history.map((h) => `v${h.version}`).slice(0, 5).join(', ')}${stack.history.length > 5 ? ', …' : ''}` : 'None'}
            </span>
          </Fact>
        </dl>
        <div className="grid grid-cols-1 gap-2">
          <Button
            variant="ghost"
            size="sm"
            className="-ml-2.5 w-fit text-muted-foreground"
            aria-expanded={showYaml}
            aria-controls={yamlId}
            onClick={() => setShowYaml((v) => !v)}
          >
            {showYaml ? <ChevronDown aria-hidden /> : <ChevronRight aria-hidden />}
            {showYaml ? 'Hide' : 'Show'} compose file ({plural(lineCount, 'line')})
          </Button>
          {showYaml && <YamlBlock id={yamlId} yaml={latest.composeYaml} />}
        </div>
      </CardContent>
      {dialog}
    </Card>
  )
}
