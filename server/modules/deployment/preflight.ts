// Preflight: every check runs (so the operator sees all problems at once) and nothing on
// the host changes. Policy, pinned images still present, resources against the host minus
// what other stacks' running containers on the same engine hold, and free disk.
import type { DockerEndpoint, SecretStore, StackRuntime } from '@/server/infra/ports'
import { secretUsesOf, verifySecretsForDeploy } from '@/server/modules/secret/deployment-secrets'
import { StackRuntimeError } from '@/server/infra/ports'
import { evaluateStackPolicy } from '@/server/modules/stack/stack-policy'
import type { StackTier } from '@/server/modules/stack/stack.types'
import type { ReleasePlan } from './release-plan'

export type PreflightCheck = { name: 'policy' | 'variables' | 'images' | 'resources' | 'disk' | 'secrets'; ok: boolean; message: string }

const GiB = 1024 ** 3
const fmtCpus = (nano: number) => `${+(nano / 1e9).toFixed(2)} CPU${nano === 1e9 ? '' : 's'}`
const fmtMem = (bytes: number) => `${+(bytes / GiB).toFixed(2)} GiB`

export function planLimits(plan: ReleasePlan) {
  let nanoCpus = 0
  let memoryBytes = 0
  for (const s of plan.services) {
    nanoCpus += s.spec.limits.nanoCpus ?? 0
    memoryBytes += s.spec.limits.memoryBytes ?? 0
  }
  return { nanoCpus, memoryBytes }
}

export async function runPreflight(
  deps: { runtime: Pick<StackRuntime, 'resolveImage' | 'hostResources' | 'reservedByOtherStacks'>; minFreeDiskBytes: number; secrets?: () => Promise<SecretStore> },
  input: { endpoint: DockerEndpoint; tier: StackTier; plan: ReleasePlan },
): Promise<PreflightCheck[]> {
  const { plan, endpoint } = input
  const checks: PreflightCheck[] = []

  const violations = evaluateStackPolicy({ services: plan.services.map((s) => s.spec), networks: plan.networks, volumes: plan.volumes, secrets: {} }, { tier: input.tier })
  checks.push(
    violations.length === 0
      ? { name: 'policy', ok: true, message: `all ${plan.services.length} services meet the ${input.tier.toLowerCase()} policy` }
      : { name: 'policy', ok: false, message: violations.map((v) => v.message).join('; ') },
  )
  // Variables were resolved when the release was planned; the plan holds no ${…} left.
  checks.push({ name: 'variables', ok: true, message: 'every variable the stack uses was set when the release was planned' })

  // Secrets: the store answers, the credentials work, every referenced secret exists and is non-empty.
  const uses = secretUsesOf(plan)
  if (uses.length > 0 && deps.secrets) {
    let secretCheck: PreflightCheck
    try {
      const verdict = await verifySecretsForDeploy(await deps.secrets(), uses, endpoint)
      secretCheck = { name: 'secrets', ok: verdict.ok, message: verdict.message }
    } catch (error) {
      secretCheck = { name: 'secrets', ok: false, message: `the secret store cannot be used: ${(error as Error).message}` }
    }
    checks.push(secretCheck)
  } else {
    checks.push({ name: 'secrets', ok: uses.length === 0, message: uses.length === 0 ? 'the stack uses no secrets' : 'no secret store is wired into this engine: configure one, then deploy again' })
  }

  const imageProblems: string[] = []
  for (const service of plan.services) {
    try {
      const image = await deps.runtime.resolveImage(endpoint, service.imageRef)
      if (image.id !== service.imageId) {
        imageProblems.push(`image ${service.imageRef} for "${service.name}" changed since the plan was made (was ${service.imageId.slice(7, 19)}, now ${image.id.slice(7, 19)}): plan a new release`)
      }
    } catch (error) {
      if (error instanceof StackRuntimeError) imageProblems.push(`"${service.name}": ${error.message}`)
      else throw error
    }
  }
  checks.push(imageProblems.length === 0 ? { name: 'images', ok: true, message: 'every pinned image is on the host' } : { name: 'images', ok: false, message: imageProblems.join('; ') })

  const host = await deps.runtime.hostResources(endpoint)
  const wanted = planLimits(plan)
  const reserved = await deps.runtime.reservedByOtherStacks(endpoint, plan.project)
  const freeCpus = host.cpus * 1e9 - reserved.nanoCpus
  const freeMem = host.memoryBytes - reserved.memoryBytes
  const fits = wanted.nanoCpus <= freeCpus && wanted.memoryBytes <= freeMem
  const resourceText = `the stack asks for ${fmtCpus(wanted.nanoCpus)} and ${fmtMem(wanted.memoryBytes)}; other stacks on this engine reserve ${fmtCpus(reserved.nanoCpus)} and ${fmtMem(reserved.memoryBytes)}; the host has ${fmtCpus(host.cpus * 1e9)} and ${fmtMem(host.memoryBytes)}`
  checks.push({ name: 'resources', ok: fits, message: fits ? resourceText : `${resourceText}: lower the stack's limits or free capacity on the host` })

  if (host.disk === null) {
    checks.push({ name: 'disk', ok: true, message: 'free disk could not be measured from the worker (remote engine): not checked' })
  } else {
    const ok = host.disk.freeBytes >= deps.minFreeDiskBytes
    const text = `${fmtMem(host.disk.freeBytes)} free on ${host.disk.path}, at least ${fmtMem(deps.minFreeDiskBytes)} required`
    checks.push({ name: 'disk', ok, message: ok ? text : `${text}: free space on the Docker host (docker system prune, larger disk)` })
  }
  return checks
}
