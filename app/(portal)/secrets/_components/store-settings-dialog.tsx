'use client'
// Where an environment's secrets live (admins): the embedded store, or Vault KV v2 with an
// address, optional namespace, mount, path prefix and token or AppRole. Saved credentials are
// never shown; leaving them blank keeps them. Everything is stored sealed.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { LoaderCircle } from 'lucide-react'
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
import type { StoreView } from './types'

const FIELDS = ['address', 'namespace', 'mount', 'pathPrefix', 'token', 'roleId', 'secretId'] as const

export function StoreSettingsDialog({ open, onOpenChange, environment, store }: { open: boolean; onOpenChange: (open: boolean) => void; environment: { id: string; name: string; slug: string }; store: StoreView }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-xl">{open && <StoreForm environment={environment} store={store} onDone={() => onOpenChange(false)} />}</DialogContent>
    </Dialog>
  )
}

function StoreForm({ environment, store, onDone }: { environment: { id: string; name: string; slug: string }; store: StoreView; onDone: () => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const id = useId()
  const [backend, setBackend] = useState<'EMBEDDED' | 'VAULT'>(store.backend)
  const [address, setAddress] = useState(store.vault?.address ?? '')
  const [namespace, setNamespace] = useState(store.vault?.namespace ?? '')
  const [mount, setMount] = useState(store.vault?.mount ?? 'secret')
  const [pathPrefix, setPathPrefix] = useState(store.vault?.pathPrefix ?? `traider/${environment.slug}`)
  const [authMethod, setAuthMethod] = useState<'token' | 'approle'>(store.vault?.authMethod ?? 'token')
  const [token, setToken] = useState('')
  const [roleId, setRoleId] = useState(store.vault?.roleId ?? '')
  const [secretId, setSecretId] = useState('')
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const save = useMutation(
    trpc.secret.updateStore.mutationOptions({
      onSuccess: async (result) => {
        toast.success(result.backend === 'VAULT' ? `${environment.name} now reads secrets from Vault.` : `${environment.name} now uses the embedded store.`)
        await queryClient.invalidateQueries({ queryKey: trpc.secret.pathKey() })
        onDone()
      },
      onError: (error) => setErrors(formErrorsFrom(error, FIELDS)),
    }),
  )
  function submit(event: FormEvent) {
    event.preventDefault()
    setErrors({ fields: {}, form: null })
    if (backend === 'EMBEDDED') save.mutate({ environmentId: environment.id, backend })
    else save.mutate({ environmentId: environment.id, backend, address, namespace: namespace || undefined, mount, pathPrefix, authMethod, token: token || undefined, roleId: roleId || undefined, secretId: secretId || undefined })
  }
  const field = (name: (typeof FIELDS)[number], label: string, value: string, set: (v: string) => void, extra: { type?: string; placeholder?: string; hint?: string } = {}) => (
    <Field>
      <Label htmlFor={`${id}-${name}`}>{label}</Label>
      <Input id={`${id}-${name}`} type={extra.type ?? 'text'} value={value} onChange={(e) => set(e.target.value)} placeholder={extra.placeholder} autoComplete="off" aria-invalid={!!errors.fields[name]} />
      {extra.hint && <FieldDescription>{extra.hint}</FieldDescription>}
      {errors.fields[name] && <FieldError>{errors.fields[name]}</FieldError>}
    </Field>
  )
  return (
    <form onSubmit={submit} className="grid gap-4" autoComplete="off">
      <DialogHeader>
        <DialogTitle>Secret store for {environment.name}</DialogTitle>
        <DialogDescription>Switching stores does not copy values: set them in the new store before the next deployment, or preflight stops it.</DialogDescription>
      </DialogHeader>
      {errors.form && (
        <Alert variant="destructive">
          <AlertDescription>{errors.form}</AlertDescription>
        </Alert>
      )}
      <fieldset className="grid gap-2">
        <legend className="mb-1 text-sm font-medium">Store</legend>
        {(['EMBEDDED', 'VAULT'] as const).map((option) => (
          <label key={option} className="flex items-start gap-2 text-sm">
            <input type="radio" name="backend" value={option} checked={backend === option} onChange={() => setBackend(option)} className="mt-1" />
            <span>
              <span className="font-medium">{option === 'EMBEDDED' ? 'Embedded' : 'HashiCorp Vault (KV v2)'}</span>
              <span className="block text-muted-foreground">{option === 'EMBEDDED' ? 'Encrypted in the control plane database under the master key.' : 'Read from Vault at deploy time; the token or AppRole is stored sealed.'}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {backend === 'VAULT' && (
        <div className="grid gap-4 sm:grid-cols-2">
          {field('address', 'Address', address, setAddress, { placeholder: 'https://vault.internal:8200' })}
          {field('namespace', 'Namespace (optional)', namespace, setNamespace, { placeholder: 'trading' })}
          {field('mount', 'KV v2 mount', mount, setMount)}
          {field('pathPrefix', 'Path prefix', pathPrefix, setPathPrefix, { hint: `Values at ${mount || 'secret'}/data/${pathPrefix || '…'}/<name>` })}
          <fieldset className="grid gap-2 sm:col-span-2">
            <legend className="mb-1 text-sm font-medium">Authentication</legend>
            <div className="flex gap-4 text-sm">
              {(['token', 'approle'] as const).map((method) => (
                <label key={method} className="flex items-center gap-2">
                  <input type="radio" name="auth" value={method} checked={authMethod === method} onChange={() => setAuthMethod(method)} />
                  {method === 'token' ? 'Token' : 'AppRole'}
                </label>
              ))}
            </div>
          </fieldset>
          {authMethod === 'token'
            ? field('token', 'Token', token, setToken, { type: 'password', hint: store.vault?.authMethod === 'token' ? 'A token is saved: leave blank to keep it.' : 'Renewed automatically when it is renewable.' })
            : (
              <>
                {field('roleId', 'role_id', roleId, setRoleId)}
                {field('secretId', 'secret_id', secretId, setSecretId, { type: 'password', hint: store.vault?.authMethod === 'approle' ? 'Saved: leave blank to keep it.' : undefined })}
              </>
            )}
        </div>
      )}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" disabled={save.isPending}>
          {save.isPending && <LoaderCircle aria-hidden className="animate-spin" />}
          Save store settings
        </Button>
      </DialogFooter>
    </form>
  )
}
