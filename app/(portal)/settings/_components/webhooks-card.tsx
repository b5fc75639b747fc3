'use client'
// Outgoing webhooks (admins): add one (URL, generic JSON or Slack format, event filter; the
// signing key is shown once), send a test, see each delivery's attempts, enable/disable,
// rotate the key, delete.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, History, KeyRound, LoaderCircle, Plus, Send, Trash2, Webhook } from 'lucide-react'
import { useId, useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { EmptyState } from '@/components/empty-state'
import { LoadError } from '@/components/load-error'
import { RelativeTime } from '@/components/relative-time'
import { OneTimeSecret } from '@/components/one-time-secret'
import { StatusBadge } from '@/components/status-badge'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Checkbox } from '@/components/ui/checkbox'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldDescription, FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { formatDateTime } from '@/lib/format'
import { useTRPC } from '@/lib/trpc'

type Open = { kind: 'add' } | { kind: 'history'; id: string; name: string } | { kind: 'key'; name: string; signingKey: string } | null

export function WebhooksCard() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  // Re-read while open: delivery counts change as the worker sends.
  const list = useQuery({ ...trpc.webhook.list.queryOptions(), refetchInterval: 10_000 })
  const [open, setOpen] = useState<Open>(null)
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.webhook.pathKey() })
  const update = useMutation(trpc.webhook.update.mutationOptions({ onSuccess: invalidate }))
  const test = useMutation(trpc.webhook.sendTest.mutationOptions({ onSuccess: invalidate }))
  const rotate = useMutation(trpc.webhook.rotateKey.mutationOptions())
  const remove = useMutation(trpc.webhook.delete.mutationOptions({ onSuccess: invalidate }))
  const fail = (error: unknown) => toast.error(formErrorsFrom(error, []).form ?? 'That did not work.')

  return (
    <Card data-testid="webhooks-card">
      <CardHeader className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="grid gap-1.5">
          <CardTitle>Webhooks</CardTitle>
          <CardDescription>
            Events are POSTed as JSON (or Slack&apos;s {'{text, blocks}'}), signed with HMAC-SHA256 in <code className="font-mono">X-Traider-Signature</code>, retried 6 times with growing waits.
          </CardDescription>
        </div>
        <Button onClick={() => setOpen({ kind: 'add' })} className="shrink-0">
          <Plus aria-hidden />
          Add webhook
        </Button>
      </CardHeader>
      <CardContent>
        {list.isError && <LoadError what="webhooks" error={list.error} onRetry={() => list.refetch()} />}
        {list.isPending && <Skeleton className="h-16 w-full" />}
        {list.data?.length === 0 && <EmptyState icon={Webhook} title="No webhooks yet" description="Add one to send approvals, deployment results, break-glass rollbacks and audit alerts to Slack or your own receiver." />}
        {!!list.data?.length && (
          <ul className="grid gap-3">
            {list.data.map((w) => (
              <li key={w.id} className="grid gap-2 rounded-md border p-3" data-webhook={w.name}>
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-medium">{w.name}</span>
                  <Badge variant="outline">{w.format === 'SLACK' ? 'Slack' : 'Generic JSON'}</Badge>
                  <StatusBadge status={w.enabled ? 'ok' : 'unknown'} label={w.enabled ? 'Enabled' : 'Disabled'} />
                  <span className="text-xs text-muted-foreground">
                    {w.delivered} delivered · {w.failed} failed · {w.pending} pending
                  </span>
                </div>
                <p className="font-mono text-xs break-all text-muted-foreground">{w.url}</p>
                <p className="text-xs text-muted-foreground">Events: {w.events.length ? w.events.join(', ') : 'all'}</p>
                <div className="flex flex-wrap gap-2">
                  <Button size="sm" variant="outline" disabled={test.isPending || !w.enabled} onClick={() => test.mutate({ id: w.id }, { onSuccess: () => toast.success(`Test event queued for ${w.name}`, { description: 'See History for the receiver’s answer.' }), onError: fail })}>
                    <Send aria-hidden />
                    Send test
                  </Button>
                  <Button size="sm" variant="outline" onClick={() => setOpen({ kind: 'history', id: w.id, name: w.name })}>
                    <History aria-hidden />
                    History
                  </Button>
                  <Button size="sm" variant="outline" disabled={update.isPending} onClick={() => update.mutate({ id: w.id, enabled: !w.enabled }, { onError: fail })}>
                    {w.enabled ? 'Disable' : 'Enable'}
                  </Button>
                  <Button
                    size="sm"
                    variant="outline"
                    disabled={rotate.isPending}
                    onClick={() => rotate.mutate({ id: w.id }, { onSuccess: (r) => setOpen({ kind: 'key', name: w.name, signingKey: r.signingKey }), onError: fail })}
                  >
                    <KeyRound aria-hidden />
                    New signing key
                  </Button>
                  <Button size="sm" variant="outline" className="text-danger" disabled={remove.isPending} onClick={() => remove.mutate({ id: w.id }, { onSuccess: () => toast.success(`Deleted webhook ${w.name}`), onError: fail })}>
                    <Trash2 aria-hidden />
                    Delete
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
      <Dialog open={open !== null} onOpenChange={(o) => !o && setOpen(null)}>
        {/* The signing key cannot be shown again: a stray click outside must not close it. */}
        <DialogContent className={open?.kind === 'key' ? 'sm:max-w-lg' : 'max-h-[90svh] overflow-y-auto sm:max-w-3xl'} onInteractOutside={(e) => open?.kind === 'key' && e.preventDefault()}>
          {open?.kind === 'add' && <AddWebhookForm onCreated={(name, signingKey) => setOpen({ kind: 'key', name, signingKey })} onCancel={() => setOpen(null)} />}
          {open?.kind === 'key' && <SigningKeyShown name={open.name} signingKey={open.signingKey} onDone={() => setOpen(null)} />}
          {open?.kind === 'history' && <DeliveryHistory id={open.id} name={open.name} />}
        </DialogContent>
      </Dialog>
    </Card>
  )
}

function AddWebhookForm({ onCreated, onCancel }: { onCreated: (name: string, signingKey: string) => void; onCancel: () => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const id = useId()
  const types = useQuery(trpc.webhook.eventTypes.queryOptions())
  const [name, setName] = useState('')
  const [url, setUrl] = useState('')
  const [format, setFormat] = useState<'GENERIC' | 'SLACK'>('GENERIC')
  const [events, setEvents] = useState<string[]>([])
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const create = useMutation(trpc.webhook.create.mutationOptions())

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setErrors({ fields: {}, form: null })
    try {
      const created = await create.mutateAsync({ name, url, format, events })
      await queryClient.invalidateQueries({ queryKey: trpc.webhook.pathKey() })
      onCreated(name.trim(), created.signingKey)
    } catch (error) {
      setErrors(formErrorsFrom(error, ['name', 'url', 'events']))
    }
  }

  return (
    <form onSubmit={onSubmit} className="grid min-w-0 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle>Add a webhook</DialogTitle>
        <DialogDescription>The control plane POSTs each matching event to this URL. No secret values are ever sent.</DialogDescription>
      </DialogHeader>
      {errors.form && (
        <Alert variant="destructive" role="alert">
          <CircleAlert aria-hidden />
          <AlertTitle>Not added</AlertTitle>
          <AlertDescription>
            <p>{errors.form}</p>
          </AlertDescription>
        </Alert>
      )}
      <Field>
        <Label htmlFor={`${id}-name`}>Name</Label>
        <Input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} placeholder="Ops Slack" aria-invalid={!!errors.fields.name || undefined} />
        <FieldError>{errors.fields.name}</FieldError>
      </Field>
      <Field>
        <Label htmlFor={`${id}-url`}>URL</Label>
        <Input id={`${id}-url`} value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hooks.slack.com/services/…" className="font-mono text-xs" aria-invalid={!!errors.fields.url || undefined} aria-describedby={`${id}-url-help`} />
        <FieldDescription id={`${id}-url-help`}>Shown masked afterwards: URLs like Slack&apos;s carry their own token.</FieldDescription>
        <FieldError>{errors.fields.url}</FieldError>
      </Field>
      <Field>
        <Label htmlFor={`${id}-format`}>Format</Label>
        <Select value={format} onValueChange={(v) => setFormat(v as 'GENERIC' | 'SLACK')}>
          <SelectTrigger id={`${id}-format`} aria-label="Format" className="w-full sm:w-64">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="GENERIC">Generic JSON</SelectItem>
            <SelectItem value="SLACK">Slack-compatible</SelectItem>
          </SelectContent>
        </Select>
      </Field>
      <fieldset className="grid gap-2">
        <legend className="mb-1 text-sm font-medium">Events (none ticked = every event)</legend>
        <div className="grid grid-cols-1 gap-1.5 sm:grid-cols-2">
          {types.data?.map((t) => (
            <label key={t.type} className="flex items-start gap-2 text-sm">
              <Checkbox checked={events.includes(t.type)} onCheckedChange={(v) => setEvents((es) => (v === true ? [...es, t.type] : es.filter((e) => e !== t.type)))} className="mt-0.5" aria-label={t.type} />
              <span>
                {t.label} <span className="font-mono text-xs text-muted-foreground">{t.type}</span>
              </span>
            </label>
          ))}
        </div>
        <FieldError>{errors.fields.events}</FieldError>
      </fieldset>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onCancel} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Plus aria-hidden />}
          Add webhook
        </Button>
      </DialogFooter>
    </form>
  )
}

function SigningKeyShown({ name, signingKey, onDone }: { name: string; signingKey: string; onDone: () => void }) {
  return (
    <OneTimeSecret
      title={`Signing key for ${name}`}
      description="Give it to the receiver: it checks X-Traider-Signature (t=…,v1=HMAC-SHA256 of “t.body”) with it."
      value={signingKey}
      label="Signing key"
      noun="signing key"
      testId="webhook-signing-key"
      warning="Shown only now: once you close this window nobody can see it again. If it gets lost, use New signing key on this webhook."
      onDone={onDone}
    />
  )
}

function DeliveryHistory({ id, name }: { id: string; name: string }) {
  const trpc = useTRPC()
  const deliveries = useQuery({ ...trpc.webhook.deliveries.queryOptions({ id }), refetchInterval: 5_000 })
  return (
    <div className="grid min-w-0 gap-4">
      <DialogHeader>
        <DialogTitle>Deliveries of {name}</DialogTitle>
        <DialogDescription>The latest 50 events sent to this webhook, with every attempt.</DialogDescription>
      </DialogHeader>
      {deliveries.isPending && <Skeleton className="h-24 w-full" />}
      {deliveries.data?.length === 0 && <p className="text-sm text-muted-foreground">Nothing sent yet. Use Send test to check the receiver.</p>}
      {!!deliveries.data?.length && (
        <div className="overflow-x-auto">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Event</TableHead>
                <TableHead>Attempt</TableHead>
                <TableHead>Time</TableHead>
                <TableHead>HTTP</TableHead>
                <TableHead>Duration</TableHead>
                <TableHead>Result</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {deliveries.data.flatMap((d) =>
                (d.attempts.length ? d.attempts : [null]).map((a, i) => (
                  <TableRow key={`${d.id}-${i}`} data-delivery={d.status.toLowerCase()}>
                    <TableCell className="max-w-56">
                      {i === 0 && (
                        <div className="grid gap-1">
                          <span className="font-mono text-xs">{d.event.type}</span>
                          <StatusBadge status={d.status === 'SUCCEEDED' ? 'succeeded' : d.status === 'FAILED' ? 'failed' : 'pending'} label={d.status === 'PENDING' ? 'Retrying' : undefined} />
                        </div>
                      )}
                    </TableCell>
                    <TableCell>{a ? a.attempt : '—'}</TableCell>
                    <TableCell className="whitespace-nowrap">{a ? <RelativeTime date={a.at} /> : formatDateTime(d.createdAt)}</TableCell>
                    <TableCell className="font-mono">{a?.httpStatus ?? '—'}</TableCell>
                    <TableCell className="whitespace-nowrap">{a ? `${a.durationMs} ms` : '—'}</TableCell>
                    <TableCell className="max-w-64 text-xs whitespace-normal break-words">{a ? (a.error ?? 'delivered') : 'queued'}</TableCell>
                  </TableRow>
                )),
              )}
            </TableBody>
          </Table>
        </div>
      )}
    </div>
  )
}
