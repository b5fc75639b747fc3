'use client'
// Create or edit an environment. The slug follows the name until someone edits it; the TLS
// directory only appears for tcp:// endpoints; server messages land under their field.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, LoaderCircle, Plus, TriangleAlert } from 'lucide-react'
import { useRouter } from 'next/navigation'
import { useId, useState, type FormEvent, type ReactNode } from 'react'
import { toast } from 'sonner'
import { TIER_LABELS, type Tier } from '@/components/tier-badge'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldDescription, FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Textarea } from '@/components/ui/textarea'
import { formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import type { EnvironmentDetail } from './types'

// The editable fields: both the list row and the detail carry them.
type EditableEnvironment = Pick<EnvironmentDetail, 'id' | 'name' | 'slug' | 'tier' | 'description' | 'dockerEndpoint' | 'dockerTlsPath'>

const FIELDS = ['name', 'slug', 'tier', 'description', 'dockerEndpoint', 'dockerTlsPath'] as const
type FieldName = (typeof FIELDS)[number]

export const DEFAULT_DOCKER_ENDPOINT = 'unix:///var/run/docker.sock'
const TIERS: Tier[] = ['DEVELOPMENT', 'STAGING', 'PRODUCTION']

/** "Prod EU (Frankfurt)" → "prod-eu-frankfurt", within the slug rules of environment.schema.ts. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '')
}

type Values = {
  name: string
  slug: string
  tier: Tier
  description: string
  dockerEndpoint: string
  dockerTlsPath: string
}

function initialValues(environment?: EditableEnvironment): Values {
  return {
    name: environment?.name ?? '',
    slug: environment?.slug ?? '',
    tier: environment?.tier ?? 'DEVELOPMENT',
    description: environment?.description ?? '',
    dockerEndpoint: environment?.dockerEndpoint ?? DEFAULT_DOCKER_ENDPOINT,
    dockerTlsPath: environment?.dockerTlsPath ?? '',
  }
}

export function EnvironmentFormDialog({
  open,
  onOpenChange,
  environment,
}: {
  open: boolean
  onOpenChange: (open: boolean) => void
  /** Given: edit this environment. Absent: create a new one. */
  environment?: EditableEnvironment
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-xl">
        {/* Mounted only while open, so each opening starts from fresh values. */}
        {open && <EnvironmentForm environment={environment} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  )
}

function EnvironmentForm({ environment, onDone }: { environment?: EditableEnvironment; onDone: () => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const router = useRouter()
  const id = useId()
  const editing = !!environment
  const [values, setValues] = useState<Values>(() => initialValues(environment))
  const [slugEdited, setSlugEdited] = useState(editing)
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const create = useMutation(trpc.environment.create.mutationOptions())
  const update = useMutation(trpc.environment.update.mutationOptions())
  const pending = create.isPending || update.isPending
  const isTcp = values.dockerEndpoint.trim().startsWith('tcp://')

  function set<K extends keyof Values>(key: K, value: Values[K]) {
    setValues((v) => {
      const next = { ...v, [key]: value }
      if (key === 'name' && !slugEdited) next.slug = slugify(String(value))
      return next
    })
    if (errors.fields[key]) {
      setErrors((e) => {
        const { [key]: _cleared, ...rest } = e.fields
        return { ...e, fields: rest }
      })
    }
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setErrors({ fields: {}, form: null })
    const payload = {
      name: values.name,
      slug: values.slug,
      tier: values.tier,
      description: values.description,
      dockerEndpoint: values.dockerEndpoint,
      dockerTlsPath: isTcp ? values.dockerTlsPath : null,
    }
    try {
      if (environment) {
        const result = await update.mutateAsync({ id: environment.id, ...payload })
        const engineChanged =
          payload.dockerEndpoint.trim() !== environment.dockerEndpoint || (payload.dockerTlsPath || null) !== environment.dockerTlsPath
        toast.success(
          engineChanged ? `Environment ${payload.name} saved — checking its Docker engine again…` : `Environment ${payload.name} saved.`,
        )
        await queryClient.invalidateQueries({ queryKey: trpc.environment.pathKey() })
        onDone()
        if (result.slug !== environment.slug) router.replace(`/environments/${result.slug}`)
      } else {
        const result = await create.mutateAsync(payload)
        toast.success(`Environment ${payload.name} created — checking its Docker engine…`)
        await queryClient.invalidateQueries({ queryKey: trpc.environment.pathKey() })
        onDone()
        router.push(`/environments/${result.slug}`)
      }
    } catch (error) {
      setErrors(formErrorsFrom(error, FIELDS))
    }
  }

  const fieldProps = (name: FieldName) => ({
    id: `${id}-${name}`,
    name,
    'aria-invalid': !!errors.fields[name] || undefined,
    'aria-describedby': `${id}-${name}-help ${id}-${name}-error`,
  })

  const error = (name: FieldName) => <FieldError id={`${id}-${name}-error`}>{errors.fields[name]}</FieldError>

  return (
    <form onSubmit={onSubmit} className="grid grid-cols-1 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle>{editing ? `Edit ${environment.name}` : 'New environment'}</DialogTitle>
        <DialogDescription>
          {editing
            ? 'Changing the Docker endpoint queues a new engine check.'
            : 'A place the trading stack runs: one Docker engine. Its engine is checked as soon as you create it.'}
        </DialogDescription>
      </DialogHeader>

      {errors.form && (
        <Alert variant="destructive" role="alert">
          <CircleAlert aria-hidden />
          <AlertDescription>{errors.form}</AlertDescription>
        </Alert>
      )}

      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field>
          <Label htmlFor={`${id}-name`}>Name</Label>
          <Input
            {...fieldProps('name')}
            value={values.name}
            onChange={(e) => set('name', e.target.value)}
            placeholder="Production EU"
            autoComplete="off"
            required
            maxLength={64}
            autoFocus
          />
          {error('name')}
        </Field>
        <Field>
          <Label htmlFor={`${id}-slug`}>Slug</Label>
          <Input
            {...fieldProps('slug')}
            value={values.slug}
            onChange={(e) => {
              setSlugEdited(true)
              set('slug', e.target.value)
            }}
            placeholder="prod-eu"
            autoComplete="off"
            spellCheck={false}
            required
            maxLength={40}
            className="font-mono"
          />
          <FieldDescription id={`${id}-slug-help`}>
            {slugEdited ? 'Used in URLs and the API.' : 'Follows the name until you edit it. Used in URLs and the API.'}
          </FieldDescription>
          {error('slug')}
        </Field>
      </div>

      <Field>
        <Label htmlFor={`${id}-tier`}>Tier</Label>
        <Select value={values.tier} onValueChange={(v) => set('tier', v as Tier)}>
          <SelectTrigger {...fieldProps('tier')} className="w-full sm:w-56">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {TIERS.map((tier) => (
              <SelectItem key={tier} value={tier}>
                {TIER_LABELS[tier]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        {values.tier === 'PRODUCTION' && (
          <p id={`${id}-tier-help`} className="flex items-start gap-1.5 text-[0.8rem] font-medium text-danger">
            <TriangleAlert aria-hidden className="mt-0.5 size-3.5 shrink-0" />
            Production: this engine runs live trading, and the environment is marked as production wherever it
            appears. Double-check the endpoint before you save.
          </p>
        )}
        {error('tier')}
      </Field>

      <Field>
        <Label htmlFor={`${id}-description`}>
          Description <span className="font-normal text-muted-foreground">(optional)</span>
        </Label>
        <Textarea
          {...fieldProps('description')}
          value={values.description}
          onChange={(e) => set('description', e.target.value)}
          placeholder="What runs here and who to call about it."
          maxLength={500}
          rows={2}
        />
        {error('description')}
      </Field>

      <Field>
        <Label htmlFor={`${id}-dockerEndpoint`}>Docker endpoint</Label>
        <Input
          {...fieldProps('dockerEndpoint')}
          value={values.dockerEndpoint}
          onChange={(e) => set('dockerEndpoint', e.target.value)}
          autoComplete="off"
          spellCheck={false}
          required
          className="font-mono"
        />
        <FieldDescription id={`${id}-dockerEndpoint-help`}>
          <code className="font-mono">unix:///var/run/docker.sock</code> for the engine on the worker&apos;s own host;{' '}
          <code className="font-mono">tcp://host:2376</code> for a remote engine (protect it with TLS).
        </FieldDescription>
        {error('dockerEndpoint')}
      </Field>

      {isTcp && (
        <Field>
          <Label htmlFor={`${id}-dockerTlsPath`}>
            TLS directory <span className="font-normal text-muted-foreground">(optional)</span>
          </Label>
          <Input
            {...fieldProps('dockerTlsPath')}
            value={values.dockerTlsPath}
            onChange={(e) => set('dockerTlsPath', e.target.value)}
            placeholder="/etc/traider/docker-tls/prod"
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
          />
          <FieldDescription id={`${id}-dockerTlsPath-help`}>
            Absolute path on the worker host holding <code className="font-mono">ca.pem</code>,{' '}
            <code className="font-mono">cert.pem</code> and <code className="font-mono">key.pem</code>.
          </FieldDescription>
          {error('dockerTlsPath')}
        </Field>
      )}

      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {pending && <LoaderCircle aria-hidden className="animate-spin" />}
          {editing ? 'Save changes' : 'Create environment'}
        </Button>
      </DialogFooter>
    </form>
  )
}

/** A button that opens the create dialog: page header, empty states, dashboard. */
export function NewEnvironmentButton({
  children = 'New environment',
  variant = 'default',
}: {
  children?: ReactNode
  variant?: 'default' | 'outline'
}) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button variant={variant} onClick={() => setOpen(true)}>
        <Plus aria-hidden />
        {children}
      </Button>
      <EnvironmentFormDialog open={open} onOpenChange={setOpen} />
    </>
  )
}
