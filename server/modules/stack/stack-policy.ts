// The deployment policy for a normalised stack: what every service must have (healthcheck,
// CPU and memory limits) and must not do (privileged, host network/pid), stricter in production.
import type { PolicyViolation, ServiceSpec, StackSpec, StackTier } from './stack.types'

export type StackPolicyOptions = { tier: StackTier }

const USER_EXAMPLE = 'set "user:" to a non-root user, e.g. "10001:10001"'
const DIGEST = /@sha256:[a-f0-9]{64}$/

/** Every rule every service breaks, in service order; [] means the stack may be deployed. */
export function evaluateStackPolicy(spec: StackSpec, options: StackPolicyOptions): PolicyViolation[] {
  return spec.services.flatMap((service) => evaluateService(service, options.tier))
}

function evaluateService(service: ServiceSpec, tier: StackTier): PolicyViolation[] {
  const out: PolicyViolation[] = []
  const subject = `service "${service.name}"`
  const add = (rule: PolicyViolation['rule'], message: string) => out.push({ service: service.name, rule, message })

  if (!service.healthcheck) {
    add('healthcheck-required', `${subject} has no healthcheck: add healthcheck.test (e.g. ["CMD", "curl", "-f", "http://localhost:8080/health"]) so a rollout can tell when it is ready`)
  } else if ('disabled' in service.healthcheck) {
    add('healthcheck-required', `${subject} disables its healthcheck: remove "disable: true" / test ["NONE"] and add a healthcheck.test so a rollout can tell when it is ready`)
  }
  if (service.limits.memoryBytes === undefined) {
    add('memory-limit-required', `${subject} has no memory limit: add deploy.resources.limits.memory, e.g. 512M`)
  }
  if (service.limits.nanoCpus === undefined) {
    add('cpu-limit-required', `${subject} has no CPU limit: add deploy.resources.limits.cpus, e.g. "0.5"`)
  }
  if (service.privileged) {
    add('no-privileged', `${subject} runs privileged: remove "privileged: true" and grant only the capabilities it needs with cap_add`)
  }
  if (service.networkMode === 'host') {
    add('no-host-network', `${subject} uses network_mode: host: remove it, join the stack's networks and publish what the host needs with "ports:"`)
  }
  if (service.pid === 'host') {
    add('no-host-pid', `${subject} uses pid: host: remove it; a service may not see the host's processes`)
  }
  if (tier === 'PRODUCTION') {
    const user = service.user?.trim()
    if (!user) {
      add('non-root-user', `${subject} sets no user, so it runs as the image's default user (often root): ${USER_EXAMPLE}`)
    } else if (isRoot(user)) {
      add('non-root-user', `${subject} runs as root ("${user}"): ${USER_EXAMPLE}`)
    }
    const tag = imageTag(service.image)
    if (tag.pinnedByDigest) {
      // A digest names exactly one image, whatever the tag says.
    } else if (tag.tag === undefined) {
      add('pinned-image', `${subject} uses image "${service.image}" without a tag, which means :latest: pin a version tag (e.g. ${service.image}:1.4.2) or a digest (@sha256:…) for production`)
    } else if (tag.tag === 'latest') {
      add('pinned-image', `${subject} uses image "${service.image}": pin a version tag instead of :latest (e.g. ${tag.name}:1.4.2) or a digest (@sha256:…) for production`)
    }
  }
  return out
}

/** The user part of "user[:group]" is root: "root", "0", "0:0", "root:staff"… */
function isRoot(user: string): boolean {
  const name = user.split(':')[0]
  return name === 'root' || name === '0'
}

/** "registry:5000/team/api:1.2@sha256:…" → name, tag, digest; a ":" before the last "/" is a registry port. */
export function imageTag(image: string): { name: string; tag?: string; pinnedByDigest: boolean } {
  const pinnedByDigest = DIGEST.test(image)
  const reference = image.split('@')[0]
  const colon = reference.lastIndexOf(':')
  if (colon > reference.lastIndexOf('/')) return { name: reference.slice(0, colon), tag: reference.slice(colon + 1), pinnedByDigest }
  return { name: reference, pinnedByDigest }
}
