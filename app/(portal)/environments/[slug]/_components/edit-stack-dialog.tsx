'use client'
// The stack editor: a monospace compose file with line numbers, checked by the server
// 400 ms after each pause in typing (problems listed by line; click one to go there), then
// saved as a new version. Saving the same text again keeps the current version.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, CircleCheck, LoaderCircle } from 'lucide-react'
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Label } from '@/components/ui/label'
import { plural } from '@/lib/format'
import { formErrorsFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { cn } from '@/lib/utils'
import { StackSourcePicker, type StackSource } from './stack-source-picker'

const VALIDATE_DELAY_MS = 400
// Matches the textarea's text-xs / leading-5: 20 px per line, for the gutter and jumping to a line.
const LINE_HEIGHT_PX = 20

const PLACEHOLDER = `services:
  web:
    image: registry.example.com/traider/web:\${WEB_TAG}
    ports: ["127.0.0.1:8080:8080"]
    healthcheck:
      test: ["CMD-SHELL", "wget -qO- http://127.0.0.1:8080/ || exit 1"]
      interval: 5s
      retries: 3`

type Current = { version: number; composeYaml: string } | null

export function EditStackDialog({
  open,
  onOpenChange,
  environment,
  current,
}: {
  open: boolean
  onOpenChange: (open: boolean) => void
  environment: { id: string; name: string }
  current: Current
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-4xl">
        {/* Mounted only while open: each opening starts from the saved version. */}
        {open && <StackEditor environment={environment} current={current} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  )
}

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs)
    return () => clearTimeout(timer)
  }, [value, delayMs])
  return debounced
}

function StackEditor({ environment, current, onDone }: { environment: { id: string; name: string }; current: Current; onDone: () => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const id = useId()
  const [text, setText] = useState(current?.composeYaml ?? '')
  const [source, setSource] = useState<StackSource>('pasted')
  const [formError, setFormError] = useState<string | null>(null)
  const textareaRef = useRef<HTMLTextAreaElement>(null)
  const gutterRef = useRef<HTMLDivElement>(null)
  const debounced = useDebounced(text, VALIDATE_DELAY_MS)
  const blank = debounced.trim() === ''
  const validation = useQuery({
    ...trpc.stack.validate.queryOptions({ composeYaml: debounced }),
    enabled: !blank,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  })
  const save = useMutation(
    trpc.stack.save.mutationOptions({
      onSuccess: async (saved) => {
        toast.success(saved.version === current?.version ? `No change: stack version ${saved.version} stays current` : `Stack version ${saved.version} saved`)
        await queryClient.invalidateQueries({ queryKey: trpc.stack.get.queryKey({ environmentId: environment.id }) })
        onDone()
      },
      onError: (error) => {
        const { fields, form } = formErrorsFrom(error, ['composeYaml'])
        setFormError(fields.composeYaml ?? form)
      },
    }),
  )

  const checking = !blank && (text !== debounced || validation.isFetching)
  const result = blank ? null : validation.data
  const errors = result && !result.ok ? result.errors : []
  const errorLines = new Set(errors.map((e) => e.line).filter((l): l is number => typeof l === 'number'))
  const lineCount = text.split('\n').length
  const unchanged = current !== null && text === current.composeYaml

  function goToLine(line: number) {
    const textarea = textareaRef.current
    if (!textarea) return
    const lines = text.split('\n')
    const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0)
    const end = start + (lines[line - 1]?.length ?? 0)
    textarea.focus()
    textarea.setSelectionRange(start, end)
    textarea.scrollTop = Math.max(0, (line - 4) * LINE_HEIGHT_PX)
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setFormError(null)
    save.mutate({ environmentId: environment.id, composeYaml: text, source })
  }

  return (
    <form onSubmit={onSubmit} className="grid min-w-0 grid-cols-1 gap-4" noValidate>
      <DialogHeader>
        <DialogTitle>{current ? 'Edit stack' : 'Paste a compose file'}</DialogTitle>
        <DialogDescription>
          {environment.name}: saving creates stack version {(current?.version ?? 0) + 1}; running containers change only when someone deploys.
          Write <code className="font-mono text-xs">{'${NAME}'}</code> for what changes per release (an image tag, say): the Deploy dialog asks for it.
        </DialogDescription>
      </DialogHeader>

      <StackSourcePicker
        onLoad={(loaded, from) => {
          setText(loaded)
          setSource(from)
          setFormError(null)
        }}
        onError={setFormError}
      />

      <div className="grid min-w-0 grid-cols-1 gap-2">
        <div className="flex items-baseline justify-between gap-2">
          <Label htmlFor={`${id}-yaml`}>Compose file</Label>
          <span className="text-xs text-muted-foreground tabular-nums">{plural(lineCount, 'line')}</span>
        </div>
        <div
          className={cn(
            'flex h-[38svh] min-h-48 overflow-hidden sm:h-[min(55vh,32rem)] sm:min-h-56 rounded-md border border-input bg-muted/30 focus-within:border-ring focus-within:ring-[3px] focus-within:ring-ring/50 dark:bg-input/30',
            errors.length > 0 && 'border-destructive',
          )}
        >
          <div ref={gutterRef} aria-hidden className="shrink-0 overflow-hidden border-r bg-muted/60 py-2 font-mono text-xs leading-5 text-muted-foreground/70 select-none">
            {Array.from({ length: lineCount }, (_, i) => (
              <div key={i} className={cn('px-2 text-right tabular-nums', errorLines.has(i + 1) && 'bg-danger/15 font-semibold text-danger')} style={{ minWidth: `${String(lineCount).length + 2}ch` }}>
                {i + 1}
              </div>
            ))}
          </div>
          <textarea
            ref={textareaRef}
            id={`${id}-yaml`}
            value={text}
            onChange={(e) => {
              setText(e.target.value)
              setFormError(null)
            }}
            onScroll={(e) => {
              if (gutterRef.current) gutterRef.current.scrollTop = e.currentTarget.scrollTop
            }}
            wrap="off"
            spellCheck={false}
            autoComplete="off"
            autoCapitalize="off"
            autoCorrect="off"
            placeholder={PLACEHOLDER}
            aria-invalid={errors.length > 0 || undefined}
            aria-describedby={`${id}-status`}
            className="min-w-0 flex-1 resize-none bg-transparent px-3 py-2 font-mono text-xs leading-5 whitespace-pre outline-none placeholder:text-muted-foreground/60"
          />
        </div>

        <div id={`${id}-status`} aria-live="polite" className="grid min-h-5 grid-cols-1 gap-1.5 text-sm">
          {blank ? (
            <p className="text-muted-foreground">Paste or type the compose file; it is checked as you type.</p>
          ) : checking && !result ? (
            <p className="flex items-center gap-1.5 text-muted-foreground">
              <LoaderCircle aria-hidden className="size-4 animate-spin" /> Checking…
            </p>
          ) : validation.isError ? (
            <p className="text-danger">The check itself failed: {validation.error.message}. You can still save; the server checks again.</p>
          ) : result?.ok ? (
            <p className="flex flex-wrap items-center gap-x-1.5 text-success">
              <CircleCheck aria-hidden className="size-4" />
              <span className="font-medium">Valid:</span>
              <span className="text-foreground">
                {plural(result.services.length, 'service')} ({result.services.join(', ')})
                {result.requiredVariables.length > 0 ? ` · release variables: ${result.requiredVariables.join(', ')}` : ' · no release variables'}
              </span>
              {checking && <LoaderCircle aria-label="Checking again" className="size-3.5 animate-spin text-muted-foreground" />}
            </p>
          ) : result ? (
            <div className="grid grid-cols-1 gap-1">
              <p className="flex items-center gap-1.5 font-medium text-danger">
                <CircleAlert aria-hidden className="size-4" />
                {errors.length === 1 ? '1 problem' : `${errors.length} problems`}: fix {errors.length === 1 ? 'it' : 'them'} before saving.
                {checking && <LoaderCircle aria-label="Checking again" className="size-3.5 animate-spin text-muted-foreground" />}
              </p>
              <ul className="grid max-h-32 grid-cols-1 gap-0.5 overflow-y-auto rounded-md border border-danger/30 bg-danger/5 p-2 text-[0.8rem] dark:bg-danger/10" data-testid="stack-errors">
                {errors.map((e, i) => (
                  <li key={i} className="flex min-w-0 items-baseline gap-2">
                    {e.line ? (
                      <button type="button" onClick={() => goToLine(e.line!)} className="shrink-0 font-mono text-xs font-medium text-danger underline-offset-2 hover:underline">
                        line {e.line}
                      </button>
                    ) : (
                      <span className="shrink-0 font-mono text-xs text-muted-foreground">file</span>
                    )}
                    <span className="min-w-0 break-words">{e.message}</span>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      </div>

      {formError && (
        <Alert variant="destructive">
          <CircleAlert aria-hidden />
          <AlertTitle>Not saved</AlertTitle>
          <AlertDescription>
            <p className="whitespace-pre-line">{formError}</p>
          </AlertDescription>
        </Alert>
      )}

      <DialogFooter className="sm:items-center">
        {unchanged && <p className="mr-auto text-xs text-muted-foreground">No changes since version {current.version}.</p>}
        <Button type="button" variant="outline" onClick={onDone} disabled={save.isPending}>
          Cancel
        </Button>
        <Button type="submit" disabled={save.isPending || text.trim() === '' || unchanged || (result !== null && result !== undefined && !result.ok && text === debounced)}>
          {save.isPending && <LoaderCircle aria-hidden className="animate-spin" />}
          Save version {(current?.version ?? 0) + 1}
        </Button>
      </DialogFooter>
    </form>
  )
}
