// What a deployment needs from the SecretStore: which services use which secrets (and how),
// the preflight verdict (reachable, credentials valid, every secret present and non-empty), and
// the values read at rollout, which live only in memory and in the containers.
import { createHash } from 'node:crypto'
import type { Db } from '@/server/db'
import { supportsSecretFiles } from '@/server/infra/secret-files'
import type { DockerEndpoint, SecretRead, SecretStore } from '@/server/infra/ports'
import type { SecretSpec, ServiceSpec } from '@/server/modules/stack/stack.types'
import { secretStoreFor } from './secret-store-for'

export type SecretUse = {
  service: string
  /** The key under the stack's top-level `secrets:`. */
  key: string
  /** The name in the SecretStore (x-traider.secret). */
  source: string
  as: 'file' | 'env'
  /** The variable for `as: 'env'`. */
  variable?: string
}

type PlanLike = { services: Array<{ name: string; spec: ServiceSpec }>; secrets?: Record<string, SecretSpec> }

export function secretUsesOf(plan: PlanLike): SecretUse[] {
  const uses: SecretUse[] = []
  for (const { name, spec } of plan.services) {
    const asEnv = new Map(Object.entries(spec.secretEnv ?? {}).map(([variable, key]) => [key, variable]))
    for (const key of spec.secrets) {
      const source = plan.secrets?.[key]?.source ?? key
      const variable = asEnv.get(key)
      uses.push(variable ? { service: name, key, source, as: 'env', variable } : { service: name, key, source, as: 'file' })
    }
  }
  return uses
}

/** The store for a deployment's environment: the engine may be handed one (tests), else the environment's own. */
export type SecretStoreResolver = (environmentId: string) => Promise<SecretStore>
export const defaultSecretStoreResolver = (db: Db): SecretStoreResolver => (environmentId) => secretStoreFor(db, environmentId)

const servicesOf = (uses: SecretUse[], source: string) => [...new Set(uses.filter((u) => u.source === source).map((u) => `"${u.service}"`))].join(', ')

/** Preflight: every problem at once, in words that name the secret, the services and what to do. */
export async function verifySecretsForDeploy(store: SecretStore, uses: SecretUse[], endpoint: DockerEndpoint): Promise<{ ok: boolean; message: string; verified: string[] }> {
  if (uses.length === 0) return { ok: true, message: 'the stack uses no secrets', verified: [] }
  const health = await store.check()
  if (!health.ok) return { ok: false, message: `the secret store cannot be used: ${health.detail}`, verified: [] }
  const problems: string[] = []
  const verified: string[] = []
  const where = store.kind === 'vault' ? 'Vault' : 'the embedded store'
  for (const source of [...new Set(uses.map((u) => u.source))]) {
    let read: SecretRead | null
    try {
      read = await store.read(source)
    } catch (error) {
      problems.push(`secret "${source}" (used by ${servicesOf(uses, source)}) cannot be read: ${(error as Error).message}`)
      continue
    }
    if (!read) problems.push(`secret "${source}" (used by ${servicesOf(uses, source)}) is missing from ${where}: set it on this environment's Secrets page, then deploy again`)
    else if (read.value.length === 0) problems.push(`secret "${source}" (used by ${servicesOf(uses, source)}) is empty in ${where}: set a value on this environment's Secrets page, then deploy again`)
    else verified.push(source)
  }
  if (!supportsSecretFiles(endpoint)) {
    for (const use of uses.filter((u) => u.as === 'file')) {
      problems.push(`service "${use.service}" wants secret "${use.key}" as a file, which needs the worker on the Docker host (${endpoint.url} is remote): ask for it as a variable (x-traider: { env: NAME }) or run a worker on that host`)
    }
  }
  if (problems.length > 0) return { ok: false, message: problems.join('; '), verified }
  return { ok: true, message: `${verified.length} secret${verified.length === 1 ? '' : 's'} present and non-empty in ${where} (${verified.join(', ')})`, verified }
}

/** Reads every secret the plan uses (latest versions). Missing or empty now (changed since preflight) is an error. */
export async function readSecretsForRollout(store: SecretStore, uses: SecretUse[]): Promise<Map<string, SecretRead>> {
  const values = new Map<string, SecretRead>()
  for (const source of [...new Set(uses.map((u) => u.source))]) {
    const read = await store.read(source)
    if (!read || read.value.length === 0) {
      throw new Error(`secret "${source}" (used by ${servicesOf(uses, source)}) was ${read ? 'emptied' : 'deleted'} after preflight: set it on the Secrets page, then deploy again`)
    }
    values.set(source, read)
  }
  return values
}

/** What one service's container gets: variables, files, and a hash of names+versions for its label. */
export function injectionFor(service: string, uses: SecretUse[], values: Map<string, SecretRead>) {
  const mine = uses.filter((u) => u.service === service)
  if (mine.length === 0) return { env: undefined, secretFiles: undefined, secretsHash: undefined }
  const env: Record<string, string> = {}
  const secretFiles: Array<{ name: string; value: string }> = []
  const hash = createHash('sha256')
  for (const use of [...mine].sort((a, b) => a.key.localeCompare(b.key))) {
    const read = values.get(use.source)!
    if (use.as === 'env') env[use.variable!] = read.value
    else secretFiles.push({ name: use.key, value: read.value })
    hash.update(`${use.key}=${use.source}@${read.version}:${use.as}:${use.variable ?? ''}\n`)
  }
  return { env: Object.keys(env).length > 0 ? env : undefined, secretFiles: secretFiles.length > 0 ? secretFiles : undefined, secretsHash: hash.digest('hex').slice(0, 32) }
}
