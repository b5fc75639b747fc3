'use client'
// Editing an environment's approval policy (admins): how many approvals, from which roles,
// how long an approval lasts (hours), the wait timer (minutes) and the freeze windows. The
// server has the last word; its messages land under the field they are about.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, LoaderCircle, Plus, ShieldCheck } from 'lucide-react'
import { useId, useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { TierBadge, type Tier } from '@/components/tier-badge'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldDescription, FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { ROLE_LABELS } from '@/server/auth/permissions'
import type { Role } from '@/generated/prisma/enums'
import { describePolicy } from '../../../approvals/_components/approval-words'
import type { ApprovalPolicyView } from '../../../approvals/_components/types'
import { FreezeWindowFields, freezeWindowErrors, TIME_ZONE_SUGGESTIONS, type FreezeWindowDraft, type FreezeWindowErrors } from './freeze-window-fields'

const FIELDS = ['requiredApprovals', 'eligibleRoles', 'approvalTtlMinutes', 'waitTimerMinutes', 'freezeWindows'] as const
// Viewers can never approve (the schema refuses them): not offered.
const APPROVING_ROLES: Role[] = ['OPERATOR', 'APPROVER', 'ADMIN']
const MAX_TTL_MINUTES = 7 * 24 * 60

type Env = { id: string; name: string; tier: Tier }

export function ApprovalPolicyDialog({
  open,
  onOpenChange,
  environment,
  policy,
}: {
  open: boolean
  onOpenChange: (open: boolean) => void
  environment: Env
  policy: ApprovalPolicyView
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-2xl">
        {open && <PolicyForm environment={environment} policy={policy} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  )
}

function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

function hoursText(minutes: number): string {
  return String(Math.round((minutes / 60) * 100) / 100)
}

function PolicyForm({ environment, policy, onDone }: { environment: Env; policy: ApprovalPolicyView; onDone: () => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const id = useId()
  const [required, setRequired] = useState(String(policy.requiredApprovals))
  const [roles, setRoles] = useState<Role[]>(policy.eligibleRoles)
  const [ttlHours, setTtlHours] = useState(hoursText(policy.approvalTtlMinutes))
  const [waitMinutes, setWaitMinutes] = useState(String(policy.waitTimerMinutes))
  const [requireTotp, setRequireTotp] = useState(policy.requireTotp)
  const [nextKey, setNextKey] = useState(policy.freezeWindows.length)
  const [windows, setWindows] = useState<FreezeWindowDraft[]>(() => policy.freezeWindows.map((w, key) => ({ key, ...w, label: w.label ?? '' })))
  const [windowErrors, setWindowErrors] = useState<FreezeWindowErrors[]>([])
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const update = useMutation(trpc.approval.updatePolicy.mutationOptions())

  function clearField(name: string) {
    if (!errors.fields[name]) return
    setErrors((e) => {
      const { [name]: _cleared, ...rest } = e.fields
      return { ...e, fields: rest }
    })
  }

  function addWindow() {
    setWindows((ws) => [...ws, { key: nextKey, days: [], start: '18:00', end: '22:00', timeZone: browserTimeZone(), label: '' }])
    setNextKey((k) => k + 1)
    clearField('freezeWindows')
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    // Only what the server cannot point at precisely is checked here: the units this form
    // converts (hours) and which freeze window is wrong.
    const local: Record<string, string> = {}
    const requiredApprovals = Number(required)
    if (required.trim() === '' || !Number.isInteger(requiredApprovals)) local.requiredApprovals = 'Give a whole number from 0 to 10.'
    const approvalTtlMinutes = Math.round(Number(ttlHours) * 60)
    if (ttlHours.trim() === '' || !Number.isFinite(approvalTtlMinutes) || approvalTtlMinutes < 5 || approvalTtlMinutes > MAX_TTL_MINUTES) {
      local.approvalTtlMinutes = 'Give the lifetime in hours, from 0.1 (5 minutes) to 168 (7 days).'
    }
    const waitTimerMinutes = Number(waitMinutes)
    if (waitMinutes.trim() === '' || !Number.isInteger(waitTimerMinutes)) local.waitTimerMinutes = 'Give whole minutes from 0 (no wait) to 1440 (a day).'
    const perWindow = windows.map(freezeWindowErrors)
    setWindowErrors(perWindow)
    if (Object.keys(local).length || perWindow.some((e) => Object.keys(e).length)) {
      setErrors({ fields: local, form: perWindow.some((e) => Object.keys(e).length) ? 'A freeze window needs fixing: see the messages below.' : null })
      return
    }
    setErrors({ fields: {}, form: null })
    try {
      const saved = await update.mutateAsync({
        environmentId: environment.id,
        requiredApprovals,
        eligibleRoles: roles,
        approvalTtlMinutes,
        requireTotp,
        waitTimerMinutes,
        freezeWindows: windows.map(({ days, start, end, timeZone, label }) => ({ days, start, end, timeZone: timeZone.trim(), ...(label.trim() && { label: label.trim() }) })),
      })
      toast.success(`Approval policy saved. ${describePolicy(environment.tier, saved)}.`)
      await queryClient.invalidateQueries({ queryKey: trpc.approval.pathKey() })
      onDone()
    } catch (error) {
      setErrors(formErrorsFrom(error, FIELDS))
    }
  }

  const field = (name: (typeof FIELDS)[number]) => ({
    'aria-invalid': !!errors.fields[name] || undefined,
    'aria-describedby': `${id}-${name}-help ${id}-${name}-error`,
  })

  return (
    <form onSubmit={onSubmit} className="grid min-w-0 grid-cols-1 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle className="flex flex-wrap items-center gap-2">
          Approval policy of {environment.name} <TierBadge tier={environment.tier} />
        </DialogTitle>
        <DialogDescription>Applies to requests made from now on and to those still waiting; decisions already given keep counting.</DialogDescription>
      </DialogHeader>

      {errors.form && (
        <Alert variant="destructive" role="alert">
          <CircleAlert aria-hidden />
          <AlertDescription>{errors.form}</AlertDescription>
        </Alert>
      )}

      <div className="grid grid-cols-1 gap-5 sm:grid-cols-3">
        <Field>
          <Label htmlFor={`${id}-required`}>Required approvals</Label>
          <Input
            id={`${id}-required`}
            type="number"
            inputMode="numeric"
            min={0}
            max={10}
            step={1}
            value={required}
            onChange={(e) => {
              setRequired(e.target.value)
              clearField('requiredApprovals')
            }}
            className="w-24 tabular-nums"
            {...field('requiredApprovals')}
          />
          <FieldDescription id={`${id}-requiredApprovals-help`}>0: requests start at once.</FieldDescription>
          <FieldError id={`${id}-requiredApprovals-error`}>{errors.fields.requiredApprovals}</FieldError>
        </Field>
        <Field>
          <Label htmlFor={`${id}-ttl`}>Approval lifetime (hours)</Label>
          <Input
            id={`${id}-ttl`}
            type="number"
            inputMode="decimal"
            min={0.1}
            max={168}
            step="any"
            value={ttlHours}
            onChange={(e) => {
              setTtlHours(e.target.value)
              clearField('approvalTtlMinutes')
            }}
            className="w-24 tabular-nums"
            {...field('approvalTtlMinutes')}
          />
          <FieldDescription id={`${id}-approvalTtlMinutes-help`}>An older approval no longer counts.</FieldDescription>
          <FieldError id={`${id}-approvalTtlMinutes-error`}>{errors.fields.approvalTtlMinutes}</FieldError>
        </Field>
        <Field>
          <Label htmlFor={`${id}-wait`}>Wait timer (minutes)</Label>
          <Input
            id={`${id}-wait`}
            type="number"
            inputMode="numeric"
            min={0}
            max={1440}
            step={1}
            value={waitMinutes}
            onChange={(e) => {
              setWaitMinutes(e.target.value)
              clearField('waitTimerMinutes')
            }}
            className="w-24 tabular-nums"
            {...field('waitTimerMinutes')}
          />
          <FieldDescription id={`${id}-waitTimerMinutes-help`}>After the last approval, before it starts.</FieldDescription>
          <FieldError id={`${id}-waitTimerMinutes-error`}>{errors.fields.waitTimerMinutes}</FieldError>
        </Field>
      </div>

      <Field>
        <span className="text-sm font-medium" id={`${id}-roles`}>
          Who may approve
        </span>
        <div role="group" aria-labelledby={`${id}-roles`} aria-describedby={`${id}-eligibleRoles-help ${id}-eligibleRoles-error`} className="flex flex-wrap gap-x-5 gap-y-2">
          {APPROVING_ROLES.map((role) => (
            <Label key={role} className="font-normal">
              <Checkbox
                checked={roles.includes(role)}
                onCheckedChange={(c) => {
                  setRoles((rs) => (c === true ? APPROVING_ROLES.filter((r) => r === role || rs.includes(r)) : rs.filter((r) => r !== role)))
                  clearField('eligibleRoles')
                }}
                aria-invalid={!!errors.fields.eligibleRoles || undefined}
              />
              {ROLE_LABELS[role]}
            </Label>
          ))}
        </div>
        <FieldDescription id={`${id}-eligibleRoles-help`}>Nobody approves their own request, whatever their role.</FieldDescription>
        <FieldError id={`${id}-eligibleRoles-error`}>{errors.fields.eligibleRoles}</FieldError>
      </Field>

      <div className="grid grid-cols-1 gap-3">
        <div className="grid grid-cols-1 gap-1">
          <span className="text-sm font-medium">Freeze windows</span>
          <p className="text-[0.8rem] text-muted-foreground" id={`${id}-freezeWindows-help`}>
            Approved requests that fall in a window wait until it ends. Emergency rollbacks ignore them.
          </p>
        </div>
        {windows.length === 0 && <p className="rounded-md border border-dashed px-3 py-2 text-sm text-muted-foreground">None: approved requests start at any time.</p>}
        {windows.map((w, i) => (
          <FreezeWindowFields
            key={w.key}
            index={i}
            value={w}
            errors={windowErrors[i] ?? {}}
            timeZonesId={`${id}-time-zones`}
            onChange={(next) => {
              setWindows((ws) => ws.map((x) => (x.key === w.key ? next : x)))
              setWindowErrors((es) => es.map((e, j) => (j === i ? {} : e)))
            }}
            onRemove={() => {
              setWindows((ws) => ws.filter((x) => x.key !== w.key))
              setWindowErrors((es) => es.filter((_, j) => j !== i))
            }}
          />
        ))}
        <datalist id={`${id}-time-zones`}>
          {[...new Set([browserTimeZone(), ...TIME_ZONE_SUGGESTIONS])].map((tz) => (
            <option key={tz} value={tz} />
          ))}
        </datalist>
        <FieldError id={`${id}-freezeWindows-error`}>{errors.fields.freezeWindows}</FieldError>
        <Button type="button" variant="outline" size="sm" className="w-fit" onClick={addWindow} disabled={windows.length >= 20}>
          <Plus aria-hidden />
          Add freeze window
        </Button>
      </div>

      <div className="flex items-start gap-2.5 rounded-md border px-3 py-2">
        <Checkbox id={`${id}-totp`} checked={requireTotp} onCheckedChange={(v) => setRequireTotp(v === true)} className="mt-0.5" aria-describedby={`${id}-totp-help`} />
        <div className="grid gap-0.5">
          <Label htmlFor={`${id}-totp`} className="font-normal">
            <ShieldCheck aria-hidden className="size-3.5" />
            Two-factor: require a current code with each approval
          </Label>
          <p id={`${id}-totp-help`} className="text-[0.8rem] text-muted-foreground">
            Approvers must have set up an authenticator app (Settings → Two-factor authentication). Recommended for production.
          </p>
        </div>
      </div>

      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={update.isPending}>
          Cancel
        </Button>
        <Button type="submit" disabled={update.isPending}>
          {update.isPending && <LoaderCircle aria-hidden className="animate-spin" />}
          Save policy
        </Button>
      </DialogFooter>
    </form>
  )
}
