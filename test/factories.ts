// Test helpers: make users, people to act as, tRPC callers and environments against the real
// database. Each helper makes unique rows so test files never depend on each other's data.
import { randomBytes } from 'node:crypto'
import type { TRPCError } from '@trpc/server'
import { db } from '@/server/db'
import { hashPassword } from '@/server/auth/password'
import { createCaller } from '@/server/api/root'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import type { Services } from '@/server/container'
import type { JobQueue, StackRuntime } from '@/server/infra/ports'
import { SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import type { BackupJobPayload, BackupJobQueue } from '@/server/modules/backup/backup-jobs'
import { saveStackVersion } from '@/server/modules/stack/stack.service'
import type { Role } from '@/generated/prisma/enums'

/** The error a tRPC call failed with (a call that succeeds fails the test). */
export const trpcFailure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure') }, (e: TRPCError) => e)

export const unique = (label: string) => `${label}-${randomBytes(4).toString('hex')}`

let cachedHash: Promise<string> | undefined
export const TEST_PASSWORD = 'correct-horse-battery-9'

export async function makeUser(role: Role, opts: { disabled?: boolean; mustChangePassword?: boolean; password?: string } = {}) {
  // argon2 is deliberately slow: hash the shared test password once per file.
  const passwordHash = opts.password ? await hashPassword(opts.password) : await (cachedHash ??= hashPassword(TEST_PASSWORD))
  return db().user.create({
    data: {
      email: `${unique(role.toLowerCase())}@example.test`,
      name: `Test ${role.toLowerCase()}`,
      role,
      passwordHash,
      disabled: opts.disabled ?? false,
      mustChangePassword: opts.mustChangePassword ?? false,
    },
  })
}

/** The AuditActor a person's actions are recorded under (as server/api/trpc.ts builds it), with the role services check. */
export function actorFor(user: { id: string; email: string; role: Role }) {
  return { type: 'USER' as const, id: user.id, label: user.email, role: user.role }
}

/** A person to act as: the user row, the AuditActor services record them under, and a tRPC caller signed in as them. */
export async function makePerson(role: Role, services: Partial<Services> = {}) {
  const user = await makeUser(role)
  return { user, actor: actorFor(user), caller: callerFor(user, services) }
}

/** A JobQueue that records what was queued instead of talking to Redis. */
export function recordingQueue(): JobQueue & { checks: string[]; deployments: string[]; gates: Array<{ id: string; at: Date }> } {
  const checks: string[] = []
  const deployments: string[] = []
  const gates: Array<{ id: string; at: Date }> = []
  return {
    checks,
    deployments,
    gates,
    enqueueEnvironmentCheck: async (id) => void checks.push(id),
    enqueueDeployment: async (id) => void deployments.push(id),
    enqueueDeploymentGate: async (id, at) => void gates.push({ id, at }),
  }
}

/** A BackupJobQueue that records what was queued instead of talking to Redis. */
export function recordingBackupQueue(): BackupJobQueue & { jobs: BackupJobPayload[] } {
  const jobs: BackupJobPayload[] = []
  return { jobs, enqueue: async (p) => void jobs.push(p), syncSchedules: async () => undefined, nextRuns: async () => ({}) }
}

export function callerFor(
  user: { id: string; email: string; name: string; role: Role; mustChangePassword?: boolean } | null,
  services: Partial<Services> = {},
) {
  return createCaller({
    services: { db: db(), queue: recordingQueue(), runtime: dockerStackRuntime, ...services },
    user: user && { id: user.id, email: user.email, name: user.name, role: user.role, mustChangePassword: user.mustChangePassword ?? false },
    ip: '127.0.0.1',
    userAgent: 'vitest',
  })
}

export function environmentInput(overrides: Record<string, unknown> = {}) {
  const slug = unique('env')
  return {
    name: `Env ${slug}`,
    slug,
    tier: 'DEVELOPMENT' as const,
    description: '',
    dockerEndpoint: 'unix:///var/run/docker.sock',
    ...overrides,
  }
}

/** One service whose image tag is a variable: enough for a deployment plan. */
export const ONE_SERVICE_STACK = `services:
  web:
    image: traider-fixture:\${WEB_TAG}
    healthcheck:
      test: ["CMD-SHELL", "true"]
    deploy:
      resources:
        limits: { cpus: "0.25", memory: 64M }
    user: "10001"
`

/** Resolves any image to a made-up ID and lists no containers: a plan without Docker. */
export const fakeImageRuntime = {
  resolveImage: async (_e: unknown, ref: string) => ({ ref, id: `sha256:${ref.padEnd(64, '0').slice(0, 64)}`, repoDigests: [] }),
  listStackContainers: async () => [],
} as unknown as StackRuntime

/** A production environment (default approval policy) with ONE_SERVICE_STACK saved. */
export async function productionEnvironmentWithStack() {
  const slug = unique('prod')
  const environment = await db().environment.create({ data: { name: `Prod ${slug}`, slug, tier: 'PRODUCTION', dockerEndpoint: 'unix:///var/run/docker.sock' } })
  await saveStackVersion({ db: db() }, SYSTEM_ACTOR, { environmentId: environment.id, composeYaml: ONE_SERVICE_STACK, source: 'pasted' })
  return environment
}
