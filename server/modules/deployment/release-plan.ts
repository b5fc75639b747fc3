// Computes a release plan: the stack loaded with this release's variables, checked against
// the tier's policy, every image pinned to its ID on the target engine, a config hash per
// service, and a per-service diff against what runs there now.
import { createHash } from 'node:crypto'
import type { DockerEndpoint, StackContainerSummary, StackRuntime } from '@/server/infra/ports'
import { StackRuntimeError } from '@/server/infra/ports'
import { canonicalJson } from '@/server/modules/audit/hash-chain'
import { loadStack } from '@/server/modules/stack/load-stack'
import { evaluateStackPolicy } from '@/server/modules/stack/stack-policy'
import { hashServiceSpec } from '@/server/modules/stack/stack-hash'
import type { NetworkSpec, PolicyViolation, SecretSpec, ServiceSpec, StackError, StackTier, VolumeSpec } from '@/server/modules/stack/stack.types'

export type PlannedService = {
  name: string
  spec: ServiceSpec
  imageRef: string
  imageId: string
  repoDigests: string[]
  /** Covers the service spec AND the pinned image: a retagged image is a change. */
  configHash: string
}

export type ReleasePlan = {
  project: string
  services: PlannedService[]
  networks: Record<string, NetworkSpec>
  volumes: Record<string, VolumeSpec>
  /** Secret key → where its value lives in the SecretStore; absent when the stack uses none. Names only. */
  secrets?: Record<string, SecretSpec>
}

export type ServiceChange = {
  service: string
  action: 'create' | 'replace' | 'remove' | 'unchanged'
  /** Human summary, e.g. "image traider-fixture:v1 → traider-fixture:v2". */
  detail: string
  fromImage?: string
  toImage?: string
}

export type PlanProblem =
  | { kind: 'stack'; errors: StackError[] }
  | { kind: 'policy'; violations: PolicyViolation[] }
  | { kind: 'image'; message: string }

export type PlanResult = { ok: true; plan: ReleasePlan; planHash: string } | { ok: false; problem: PlanProblem }

/** The compose project name for an environment: its slug, so environments never collide. */
export function projectName(slug: string): string {
  return `traider-${slug}`
}

export function serviceConfigHash(spec: ServiceSpec, imageId: string): string {
  return createHash('sha256').update(hashServiceSpec(spec)).update('\n').update(imageId).digest('hex')
}

export function planHashOf(plan: ReleasePlan): string {
  return createHash('sha256').update(canonicalJson(plan)).digest('hex')
}

export async function computeReleasePlan(
  runtime: Pick<StackRuntime, 'resolveImage'>,
  input: { endpoint: DockerEndpoint; slug: string; tier: StackTier; composeYaml: string; variables: Record<string, string> },
): Promise<PlanResult> {
  const loaded = loadStack(input.composeYaml, input.variables)
  if (!loaded.ok) return { ok: false, problem: { kind: 'stack', errors: loaded.errors } }
  const violations = evaluateStackPolicy(loaded.spec, { tier: input.tier })
  if (violations.length > 0) return { ok: false, problem: { kind: 'policy', violations } }

  const services: PlannedService[] = []
  for (const spec of loaded.spec.services) {
    try {
      const image = await runtime.resolveImage(input.endpoint, spec.image)
      services.push({
        name: spec.name,
        spec,
        imageRef: spec.image,
        imageId: image.id,
        repoDigests: image.repoDigests,
        configHash: serviceConfigHash(spec, image.id),
      })
    } catch (error) {
      if (error instanceof StackRuntimeError && error.kind === 'image-missing') {
        return { ok: false, problem: { kind: 'image', message: `service "${spec.name}": ${error.message}` } }
      }
      throw error
    }
  }
  const plan: ReleasePlan = {
    project: projectName(input.slug),
    services,
    networks: loaded.spec.networks,
    volumes: loaded.spec.volumes,
    ...(Object.keys(loaded.spec.secrets).length > 0 && { secrets: loaded.spec.secrets }),
  }
  return { ok: true, plan, planHash: planHashOf(plan) }
}

/** The running container that currently serves each service (newest running one wins). */
export function currentContainers(containers: StackContainerSummary[]): Map<string, StackContainerSummary> {
  const byService = new Map<string, StackContainerSummary>()
  for (const c of containers) {
    if (c.state !== 'running' || !c.service) continue
    const seen = byService.get(c.service)
    if (!seen || seen.createdAt < c.createdAt) byService.set(c.service, c)
  }
  return byService
}

export function diffAgainstRunning(plan: ReleasePlan, running: Map<string, StackContainerSummary>): ServiceChange[] {
  const changes: ServiceChange[] = plan.services.map((service) => {
    const current = running.get(service.name)
    if (!current) return { service: service.name, action: 'create', detail: `new service from ${service.imageRef}`, toImage: service.imageRef }
    if (current.configHash === service.configHash) return { service: service.name, action: 'unchanged', detail: `keeps ${service.imageRef}`, fromImage: current.image, toImage: service.imageRef }
    const detail = current.image !== service.imageRef ? `image ${current.image} → ${service.imageRef}` : 'configuration changed (same image reference)'
    return { service: service.name, action: 'replace', detail, fromImage: current.image, toImage: service.imageRef }
  })
  for (const [name, current] of running) {
    if (!plan.services.some((s) => s.name === name)) changes.push({ service: name, action: 'remove', detail: `no longer in the stack (was ${current.image})`, fromImage: current.image })
  }
  return changes
}

export function describePlanProblem(problem: PlanProblem): string {
  switch (problem.kind) {
    case 'stack':
      return `The stack cannot be deployed as it is: ${problem.errors.slice(0, 5).map((e) => e.message).join('; ')}${problem.errors.length > 5 ? ` (and ${problem.errors.length - 5} more)` : ''}`
    case 'policy':
      return `The deployment policy refuses this stack: ${problem.violations.map((v) => v.message).join('; ')}`
    case 'image':
      return problem.message
  }
}
