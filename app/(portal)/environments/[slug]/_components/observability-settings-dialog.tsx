'use client'
// Editing where an environment's Prometheus, Grafana and Jaeger are, the name of the secret
// holding Grafana's service-account token (the token itself goes on the Secrets page), and the
// PromQL gates a deployment must pass at the end of its bake window (admins).
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, LoaderCircle, Plus, Trash2 } from 'lucide-react'
import { useId, useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldDescription, FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'

const FIELDS = ['prometheusUrl', 'grafanaUrl', 'grafanaTokenSecret', 'jaegerUrl', 'gates'] as const
const COMPARATORS = ['<', '<=', '>', '>=', '==', '!='] as const
type Comparator = (typeof COMPARATORS)[number]

export type ObservabilitySettingsView = {
  environmentId: string
  prometheusUrl: string | null
  grafanaUrl: string | null
  grafanaTokenSecret: string
  jaegerUrl: string | null
  gates: Array<{ name: string; query: string; comparator: Comparator; threshold: number }>
}

type GateDraft = { key: number; name: string; query: string; comparator: Comparator; threshold: string }

export function ObservabilitySettingsDialog({ open, onOpenChange, environmentName, settings }: { open: boolean; onOpenChange: (open: boolean) => void; environmentName: string; settings: ObservabilitySettingsView }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-3xl">{open && <SettingsForm environmentName={environmentName} settings={settings} onDone={() => onOpenChange(false)} />}</DialogContent>
    </Dialog>
  )
}

function SettingsForm({ environmentName, settings, onDone }: { environmentName: string; settings: ObservabilitySettingsView; onDone: () => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const id = useId()
  const [prometheusUrl, setPrometheusUrl] = useState(settings.prometheusUrl ?? '')
  const [grafanaUrl, setGrafanaUrl] = useState(settings.grafanaUrl ?? '')
  const [tokenSecret, setTokenSecret] = useState(settings.grafanaTokenSecret)
  const [jaegerUrl, setJaegerUrl] = useState(settings.jaegerUrl ?? '')
  const [gates, setGates] = useState<GateDraft[]>(() => settings.gates.map((g, key) => ({ key, ...g, threshold: String(g.threshold) })))
  const [nextKey, setNextKey] = useState(settings.gates.length)
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const update = useMutation(trpc.observability.updateSettings.mutationOptions())

  const setGate = (key: number, patch: Partial<GateDraft>) => setGates((gs) => gs.map((g) => (g.key === key ? { ...g, ...patch } : g)))

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const bad = gates.find((g) => g.threshold.trim() === '' || !Number.isFinite(Number(g.threshold)))
    if (bad) {
      setErrors({ fields: { gates: `Gate "${bad.name || 'unnamed'}": the threshold must be a number (0.01 for 1 %, 0.1 for 100 ms).` }, form: null })
      return
    }
    try {
      await update.mutateAsync({
        environmentId: settings.environmentId,
        prometheusUrl,
        grafanaUrl,
        grafanaTokenSecret: tokenSecret,
        jaegerUrl,
        gates: gates.map((g) => ({ name: g.name, query: g.query, comparator: g.comparator, threshold: Number(g.threshold) })),
      })
      toast.success(`Observability settings of ${environmentName} saved.`)
      await queryClient.invalidateQueries({ queryKey: trpc.observability.pathKey() })
      onDone()
    } catch (error) {
      setErrors(formErrorsFrom(error, FIELDS))
    }
  }

  const url = (name: 'prometheusUrl' | 'grafanaUrl' | 'jaegerUrl', label: string, value: string, set: (v: string) => void, placeholder: string, help: string) => (
    <Field>
      <Label htmlFor={`${id}-${name}`}>{label}</Label>
      <Input id={`${id}-${name}`} value={value} onChange={(e) => set(e.target.value)} placeholder={placeholder} aria-invalid={!!errors.fields[name] || undefined} aria-describedby={`${id}-${name}-help ${id}-${name}-error`} />
      <FieldDescription id={`${id}-${name}-help`}>{help}</FieldDescription>
      <FieldError id={`${id}-${name}-error`}>{errors.fields[name]}</FieldError>
    </Field>
  )

  return (
    <form onSubmit={onSubmit} className="grid min-w-0 grid-cols-1 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle>Observability of {environmentName}</DialogTitle>
        <DialogDescription>The portal queries these from the server; browsers reach Grafana and Jaeger only through the portal.</DialogDescription>
      </DialogHeader>
      {errors.form && (
        <Alert variant="destructive" role="alert">
          <CircleAlert aria-hidden />
          <AlertDescription>{errors.form}</AlertDescription>
        </Alert>
      )}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        {url('prometheusUrl', 'Prometheus URL', prometheusUrl, setPrometheusUrl, 'http://prometheus:9090', 'Charts and deployment gates query it. Empty: off.')}
        {url('jaegerUrl', 'Jaeger URL', jaegerUrl, setJaegerUrl, 'http://jaeger:16686', 'Jaeger UI, embedded on the Observability page.')}
        {url('grafanaUrl', 'Grafana URL', grafanaUrl, setGrafanaUrl, 'http://grafana:3000', 'Set Grafana’s root_url to the portal path /api/observability/grafana/<env>/ with serve_from_sub_path.')}
        <Field>
          <Label htmlFor={`${id}-secret`}>Grafana token secret name</Label>
          <Input id={`${id}-secret`} value={tokenSecret} onChange={(e) => setTokenSecret(e.target.value)} aria-invalid={!!errors.fields.grafanaTokenSecret || undefined} aria-describedby={`${id}-secret-help ${id}-grafanaTokenSecret-error`} />
          <FieldDescription id={`${id}-secret-help`}>A Viewer service-account token, stored on the Secrets page under this name.</FieldDescription>
          <FieldError id={`${id}-grafanaTokenSecret-error`}>{errors.fields.grafanaTokenSecret}</FieldError>
        </Field>
      </div>

      <fieldset className="grid min-w-0 grid-cols-1 gap-3">
        <legend className="mb-1 text-sm font-medium">Deployment gates</legend>
        <p className="text-xs text-muted-foreground">Checked at the end of the bake window. A query with no data, or a failing comparison, rolls the deployment back.</p>
        {gates.map((g) => (
          <div key={g.key} className="grid grid-cols-1 gap-2 rounded-lg border p-3 sm:grid-cols-[10rem_1fr_4.5rem_6rem_auto]" data-testid="gate-row">
            <Input aria-label="Gate name" placeholder="error rate" value={g.name} onChange={(e) => setGate(g.key, { name: e.target.value })} />
            <Input aria-label="PromQL query" placeholder='sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))' className="font-mono text-xs" value={g.query} onChange={(e) => setGate(g.key, { query: e.target.value })} />
            <select aria-label="Comparison" className="h-9 rounded-md border bg-transparent px-2 text-sm" value={g.comparator} onChange={(e) => setGate(g.key, { comparator: e.target.value as Comparator })}>
              {COMPARATORS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            <Input aria-label="Threshold" inputMode="decimal" className="tabular-nums" value={g.threshold} onChange={(e) => setGate(g.key, { threshold: e.target.value })} />
            <Button type="button" variant="ghost" size="icon" aria-label={`Remove gate ${g.name}`} onClick={() => setGates((gs) => gs.filter((x) => x.key !== g.key))}>
              <Trash2 aria-hidden />
            </Button>
          </div>
        ))}
        <FieldError>{errors.fields.gates}</FieldError>
        <div>
          <Button
            type="button"
            variant="outline"
            size="sm"
            onClick={() => {
              setGates((gs) => [...gs, { key: nextKey, name: '', query: '', comparator: '<', threshold: '' }])
              setNextKey((k) => k + 1)
            }}
          >
            <Plus aria-hidden />
            Add gate
          </Button>
        </div>
      </fieldset>

      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" disabled={update.isPending}>
          {update.isPending && <LoaderCircle aria-hidden className="animate-spin" />}
          Save settings
        </Button>
      </DialogFooter>
    </form>
  )
}
