// Test helpers: make users and tRPC callers against the real database. Each helper makes
// unique rows so test files never depend on each other's data.
import { randomBytes } from 'node:crypto'
import { db } from '@/server/db'
import { hashPassword } from '@/server/auth/password'
import { createCaller } from '@/server/api/root'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import type { Services } from '@/server/container'
import type { JobQueue } from '@/server/infra/ports'
import type { Role } from '@/generated/prisma/enums'

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
