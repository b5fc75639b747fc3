'use client'
// Deploying a release in two steps: the release variables (prefilled from the latest
// release) and the bake window, then the plan the engine computed against what runs now.
// The confirm button says what will happen; the request carries the reviewed plan hash, so
// a plan that moved in between is refused rather than deployed unseen. Where the approval
// policy needs approvals, the button requests and the request waits in Approvals.
import { useMutation, useQuery } from '@tanstack/react-query'
import { ArrowLeft, CircleAlert, LoaderCircle, RefreshCw, Rocket, Stamp, TriangleAlert } from 'lucide-react'
import { useRouter } from 'next/navigation'
import { useId, useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { TierBadge, type Tier } from '@/components/tier-badge'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldDescription, FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Skeleton } from '@/components/ui/skeleton'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { gateWords, rolesWords } from '../../../approvals/_components/approval-words'
import { PlanDiffTable } from '../../../deployments/_components/plan-diff-table'
import { changedCount } from '../../../deployments/_components/types'

const DEFAULT_BAKE_SECONDS = 30

type DeployEnvironment = { id: string; name: string; tier: Tier }

export function DeployDialog({
  open,
  onOpenChange,
  environment,
  requiredVariables,
  previousVariables,
}: {
  open: boolean
  onOpenChange: (open: boolean) => void
  environment: DeployEnvironment
  requiredVariables: string[]
  /** The latest release's variables, to prefill the inputs. */
  previousVariables: Record<string, string>
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-2xl">
        {open && (
          <DeployFlow
            environment={environment}
            requiredVariables={requiredVariables}
            previousVariables={previousVariables}
            onCancel={() => onOpenChange(false)}
          />
        )}
      </DialogContent>
    </Dialog>
  )
}

/** "3 services change", "1 service changes", "no service changes". */
function changesPhrase(n: number): string {
  if (n === 0) return 'no service changes'
  return n === 1 ? '1 service changes' : `${n} services change`
}

function DeployFlow({
  environment,
  requiredVariables,
  previousVariables,
  onCancel,
}: {
  environment: DeployEnvironment
  requiredVariables: string[]
  previousVariables: Record<string, string>
  onCancel: () => void
}) {
  const [step, setStep] = useState<'inputs' | 'review'>('inputs')
  const [variables, setVariables] = useState<Record<string, string>>(() =>
    Object.fromEntries(requiredVariables.map((name) => [name, previousVariables[name] ?? ''])),
  )
  const [bake, setBake] = useState(String(DEFAULT_BAKE_SECONDS))

  if (step === 'inputs') {
    return (
      <VariablesStep
        environment={environment}
        variables={variables}
        onVariables={setVariables}
        bake={bake}
        onBake={setBake}
        previousVariables={previousVariables}
        onCancel={onCancel}
        onNext={() => setStep('review')}
      />
    )
  }
  return <ReviewStep environment={environment} variables={variables} bakeSeconds={Number(bake)} onBack={() => setStep('inputs')} onCancel={onCancel} />
}

function VariablesStep({
  environment,
  variables,
  onVariables,
  bake,
  onBake,
  previousVariables,
  onCancel,
  onNext,
}: {
  environment: DeployEnvironment
  variables: Record<string, string>
  onVariables: (next: Record<string, string>) => void
  bake: string
  onBake: (value: string) => void
  previousVariables: Record<string, string>
  onCancel: () => void
  onNext: () => void
}) {
  const id = useId()
  const [submitted, setSubmitted] = useState(false)
  const names = Object.keys(variables)
  const missing = names.filter((name) => variables[name].trim() === '')
  const bakeNumber = Number(bake)
  const bakeError =
    bake.trim() === '' || !Number.isInteger(bakeNumber) || bakeNumber < 0 || bakeNumber > 3600
      ? 'Give the bake window in whole seconds, from 0 to 3600.'
      : null

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setSubmitted(true)
    if (missing.length === 0 && !bakeError) onNext()
  }

  return (
    <form onSubmit={onSubmit} className="grid min-w-0 grid-cols-1 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle className="flex flex-wrap items-center gap-2">
          Deploy to {environment.name} <TierBadge tier={environment.tier} />
        </DialogTitle>
        <DialogDescription>
          Step 1 of 2: the release&apos;s inputs. Next you review exactly what changes before anything happens.
        </DialogDescription>
      </DialogHeader>

      {names.length === 0 ? (
        <p className="rounded-md border bg-muted/40 px-3 py-2 text-sm text-muted-foreground">
          This stack takes no release variables: the release runs the compose file with the images as they are on the engine now.
        </p>
      ) : (
        <fieldset className="grid grid-cols-1 gap-4">
          <legend className="mb-3 text-sm font-medium">Release variables</legend>
          {names.map((name) => {
            const invalid = submitted && variables[name].trim() === ''
            const previous = previousVariables[name]
            return (
              <Field key={name}>
                <Label htmlFor={`${id}-${name}`} className="font-mono text-xs">
                  {name}
                </Label>
                <Input
                  id={`${id}-${name}`}
                  value={variables[name]}
                  onChange={(e) => onVariables({ ...variables, [name]: e.target.value })}
                  autoComplete="off"
                  spellCheck={false}
                  className="font-mono"
                  aria-invalid={invalid || undefined}
                  aria-describedby={`${id}-${name}-help`}
                />
                <FieldDescription id={`${id}-${name}-help`}>
                  {previous !== undefined ? (
                    <>
                      The latest release used <code className="font-mono">{previous || '(empty)'}</code>.
                    </>
                  ) : (
                    'No earlier release set this variable.'
                  )}
                </FieldDescription>
                {invalid && <FieldError>Give {name} a value.</FieldError>}
              </Field>
            )
          })}
        </fieldset>
      )}

      <Field>
        <Label htmlFor={`${id}-bake`}>Bake window (seconds)</Label>
        <Input
          id={`${id}-bake`}
          type="number"
          inputMode="numeric"
          min={0}
          max={3600}
          step={1}
          value={bake}
          onChange={(e) => onBake(e.target.value)}
          className="w-32 tabular-nums"
          aria-invalid={(submitted && !!bakeError) || undefined}
          aria-describedby={`${id}-bake-help`}
        />
        <FieldDescription id={`${id}-bake-help`}>
          Every new container must stay running and healthy this long, or the deployment rolls back by itself.
        </FieldDescription>
        {submitted && bakeError && <FieldError>{bakeError}</FieldError>}
      </Field>

      <DialogFooter>
        <Button type="button" variant="outline" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit">Review plan</Button>
      </DialogFooter>
    </form>
  )
}

function ReviewStep({
  environment,
  variables,
  bakeSeconds,
  onBack,
  onCancel,
}: {
  environment: DeployEnvironment
  variables: Record<string, string>
  bakeSeconds: number
  onBack: () => void
  onCancel: () => void
}) {
  const trpc = useTRPC()
  const router = useRouter()
  const plan = useQuery({
    ...trpc.deployment.plan.queryOptions({ environmentId: environment.id, variables }),
    staleTime: 0,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
  })
  const policy = useQuery(trpc.approval.policy.queryOptions({ environmentId: environment.id }))
  const request = useMutation(
    trpc.deployment.request.mutationOptions({
      onSuccess: (created) => {
        if (created.queued) toast.success(`Deployment #${created.number} requested: release ${created.releaseNumber} to ${environment.name}.`)
        else toast.success(`Deployment #${created.number} requested: ${gateWords(created.approval)}`, { description: 'It starts once the approval policy is met; approvers find it under Approvals.' })
        router.push(`/deployments/${created.id}`)
      },
    }),
  )
  const production = environment.tier === 'PRODUCTION'
  const approvals = policy.data?.requiredApprovals ?? 0
  const changes = plan.data ? changedCount(plan.data.diff) : 0
  const planChanged = request.error?.data?.code === 'CONFLICT' && /plan changed/i.test(request.error.message)
  const entries = Object.entries(variables)

  return (
    <div className="grid min-w-0 grid-cols-1 gap-5">
      <DialogHeader>
        <DialogTitle className="flex flex-wrap items-center gap-2">
          Review plan <TierBadge tier={environment.tier} />
        </DialogTitle>
        <DialogDescription>
          Step 2 of 2: what deploying to {environment.name} changes, compared with the containers running there now. Nothing has changed yet.
        </DialogDescription>
      </DialogHeader>

      {plan.isPending && (
        <div className="grid grid-cols-1 gap-2" aria-live="polite">
          <p className="flex items-center gap-2 text-sm text-muted-foreground">
            <LoaderCircle aria-hidden className="size-4 animate-spin" /> Planning: resolving every image on the engine…
          </p>
          <Skeleton className="h-28 w-full" />
        </div>
      )}

      {plan.isError && (
        <Alert variant="destructive">
          <CircleAlert aria-hidden />
          <AlertTitle>No plan: this release cannot be deployed as it is</AlertTitle>
          <AlertDescription>
            <p className="whitespace-pre-line">{errorMessageFrom(plan.error)}</p>
            <div className="mt-2 flex flex-wrap gap-2">
              <Button variant="outline" size="sm" onClick={onBack}>
                <ArrowLeft aria-hidden /> Change the variables
              </Button>
              <Button variant="outline" size="sm" onClick={() => plan.refetch()}>
                <RefreshCw aria-hidden /> Plan again
              </Button>
            </div>
          </AlertDescription>
        </Alert>
      )}

      {plan.data && (
        <>
          <PlanDiffTable diff={plan.data.diff} />
          <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-4">
            <div className="min-w-0">
              <dt className="text-xs text-muted-foreground">Plan hash</dt>
              <dd className="font-mono text-xs" title={plan.data.planHash} data-testid="plan-hash">
                {plan.data.planHash.slice(0, 12)}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-muted-foreground">Stack version</dt>
              <dd className="tabular-nums">{plan.data.stackVersion}</dd>
            </div>
            <div>
              <dt className="text-xs text-muted-foreground">Bake window</dt>
              <dd className="tabular-nums">{bakeSeconds} s</dd>
            </div>
            <div className="col-span-2 min-w-0 sm:col-span-1">
              <dt className="text-xs text-muted-foreground">Variables</dt>
              <dd className="truncate font-mono text-xs" title={entries.map(([k, v]) => `${k}=${v}`).join(' ')}>
                {entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(' ') : 'none'}
              </dd>
            </div>
          </dl>
        </>
      )}

      {approvals > 0 && plan.data && policy.data && (
        <Alert>
          <Stamp aria-hidden />
          <AlertTitle>
            Needs {approvals === 1 ? '1 approval' : `${approvals} approvals`} before it starts
          </AlertTitle>
          <AlertDescription>
            <p>
              This only requests it: {approvals === 1 ? 'one person' : `${approvals} people`} with the {rolesWords(policy.data.eligibleRoles)} role, other than
              you, must approve it under Approvals. Nothing changes on the engine until then.
            </p>
          </AlertDescription>
        </Alert>
      )}

      {production && plan.data && (
        <Alert variant="destructive">
          <TriangleAlert aria-hidden />
          <AlertTitle>Production: this changes live trading</AlertTitle>
          <AlertDescription>
            <p>The services above are replaced on the production engine. If a new container fails its healthcheck or the bake window, the engine rolls back by itself.</p>
          </AlertDescription>
        </Alert>
      )}

      {request.isError && (
        <Alert variant="destructive">
          <CircleAlert aria-hidden />
          <AlertTitle>Not deployed</AlertTitle>
          <AlertDescription>
            <p className="whitespace-pre-line">{errorMessageFrom(request.error)}</p>
            {planChanged && (
              <Button
                variant="outline"
                size="sm"
                className="mt-2"
                onClick={() => {
                  request.reset()
                  void plan.refetch()
                }}
              >
                <RefreshCw aria-hidden /> Review the new plan
              </Button>
            )}
          </AlertDescription>
        </Alert>
      )}

      <DialogFooter className="gap-2">
        <Button type="button" variant="ghost" onClick={onBack} disabled={request.isPending} className="sm:mr-auto">
          <ArrowLeft aria-hidden /> Back
        </Button>
        <Button type="button" variant="outline" onClick={onCancel} disabled={request.isPending}>
          Cancel
        </Button>
        <Button
          type="button"
          variant={production ? 'destructive' : 'default'}
          disabled={!plan.data || plan.isFetching || policy.isPending || request.isPending || request.isSuccess}
          onClick={() => plan.data && request.mutate({ environmentId: environment.id, variables, bakeSeconds, expectedPlanHash: plan.data.planHash })}
          className="h-auto min-h-9 shrink whitespace-normal"
        >
          {request.isPending || request.isSuccess ? <LoaderCircle aria-hidden className="animate-spin" /> : <Rocket aria-hidden />}
          {approvals > 0 ? 'Request deployment to' : 'Deploy release to'} {environment.name}: {changesPhrase(changes)}
        </Button>
      </DialogFooter>
    </div>
  )
}
