// Secrets in the portal: per environment, which names exist (and which the stack needs but the
// store lacks), set/rotate and delete (write-only values, audited by name), the store's settings
// (Vault settings sealed), and "redeploy affected services" through the normal deployment request.
import type { z } from 'zod'
import type { Db } from '@/server/db'
import { seal } from '@/server/crypto/envelope'
import { DomainError, notFound } from '@/server/errors'
import type { JobQueue, StackRuntime } from '@/server/infra/ports'
import { SecretStoreUnavailableError } from '@/server/infra/ports'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { requestDeployment } from '@/server/modules/deployment/deployment.service'
import { validateStackStructure } from '@/server/modules/stack/stack-variables'
import { secretUsesOf, type SecretUse } from './deployment-secrets'
import { readVaultSettings, secretStoreFor, vaultSettingsContext } from './secret-store-for'
import { vaultSettingsView, type deleteSecretInput, type SecretsOverview, type setSecretInput, type updateStoreInput, type VaultSettings } from './secret.schema'

export type SecretDeps = { db: Db; runtime: Pick<StackRuntime, 'resolveImage' | 'listStackContainers'>; queue: Pick<JobQueue, 'enqueueDeployment' | 'enqueueDeploymentGate'> }

async function environmentOf(db: Db, environmentId: string) {
  const environment = await db.environment.findUnique({ where: { id: environmentId }, select: { id: true, name: true, slug: true, tier: true } })
  if (!environment) throw notFound('Environment')
  return environment
}

/** A store error as a DomainError the portal shows (the message already says what to do). */
function storeFailure(error: unknown): never {
  if (error instanceof SecretStoreUnavailableError) throw new DomainError('UNAVAILABLE', error.message)
  throw error
}

/** How the latest stack version uses secrets (names only); null note when it parses. */
async function stackUses(db: Db, environmentId: string): Promise<{ uses: SecretUse[]; note: string | null }> {
  const stack = await db.stack.findUnique({ where: { environmentId }, include: { versions: { orderBy: { version: 'desc' }, take: 1, select: { composeYaml: true } } } })
  const yaml = stack?.versions[0]?.composeYaml
  if (!yaml) return { uses: [], note: 'This environment has no stack yet: usage appears once one is saved.' }
  const structure = validateStackStructure(yaml)
  if (!structure.ok) return { uses: [], note: 'The latest stack version has errors, so which services use which secret is not known: fix the stack.' }
  return { uses: secretUsesOf({ services: structure.spec.services.map((spec) => ({ name: spec.name, spec })), secrets: structure.spec.secrets }), note: null }
}

export async function getSecretsOverview(deps: Pick<SecretDeps, 'db'>, environmentId: string): Promise<SecretsOverview> {
  const environment = await environmentOf(deps.db, environmentId)
  const config = await deps.db.secretStoreConfig.findUnique({ where: { environmentId } })
  const vault = await readVaultSettings(deps.db, environmentId)
  const store = await secretStoreFor(deps.db, environmentId)
  const health = await store.check()
  const listed = health.ok ? await store.list().catch((error: unknown) => storeFailure(error)) : []
  const { uses, note } = await stackUses(deps.db, environmentId)
  // What the running containers got: the latest successful deployment's recorded versions.
  const lastGood = await deps.db.deployment.findFirst({ where: { environmentId, status: 'SUCCEEDED' }, orderBy: { finishedAt: 'desc' }, select: { secretVersions: true } })
  const deployed = (lastGood?.secretVersions ?? {}) as Record<string, number>
  const usage = (name: string) => uses.filter((u) => u.source === name).map(({ service, key, as, variable }) => ({ service, key, as, ...(variable && { variable }) }))
  const names = new Set(listed.map((s) => s.name))
  return {
    environment,
    store: { backend: config?.backend ?? 'EMBEDDED', vault: vault ? vaultSettingsView(vault) : null, health },
    secrets: listed.map((s) => ({
      ...s,
      usedBy: usage(s.name),
      needsRedeploy: lastGood && deployed[s.name] !== undefined && deployed[s.name] !== s.version ? [...new Set(usage(s.name).map((u) => u.service))] : [],
    })),
    missing: health.ok ? [...new Set(uses.map((u) => u.source))].filter((name) => !names.has(name)).sort().map((name) => ({ name, usedBy: usage(name) })) : [],
    stackNote: note,
  }
}

export async function setSecret(deps: Pick<SecretDeps, 'db'>, actor: AuditActor, input: z.output<typeof setSecretInput>) {
  await environmentOf(deps.db, input.environmentId)
  const store = await secretStoreFor(deps.db, input.environmentId)
  const existed = (await store.list().catch((error: unknown) => storeFailure(error))).some((s) => s.name === input.name)
  const written = await store.write(input.name, input.value, { id: actor.id, label: actor.label }).catch((error: unknown) => storeFailure(error))
  await audit(deps.db, actor, {
    action: existed ? 'secret.rotate' : 'secret.write',
    targetType: 'secret',
    targetId: input.name,
    environmentId: input.environmentId,
    summary: { name: input.name, version: written.version, store: store.kind },
  })
  return { name: written.name, version: written.version, rotated: existed }
}

export async function deleteSecret(deps: Pick<SecretDeps, 'db'>, actor: AuditActor, input: z.output<typeof deleteSecretInput>) {
  await environmentOf(deps.db, input.environmentId)
  const store = await secretStoreFor(deps.db, input.environmentId)
  await store.delete(input.name, { id: actor.id, label: actor.label }).catch((error: unknown) => storeFailure(error))
  await audit(deps.db, actor, { action: 'secret.delete', targetType: 'secret', targetId: input.name, environmentId: input.environmentId, summary: { name: input.name, store: store.kind } })
  return { name: input.name }
}

export async function updateSecretStore(deps: Pick<SecretDeps, 'db'>, actor: AuditActor, input: z.output<typeof updateStoreInput>) {
  await environmentOf(deps.db, input.environmentId)
  const { environmentId } = input
  if (input.backend === 'EMBEDDED') {
    await deps.db.$transaction(async (tx) => {
      await tx.secretStoreConfig.upsert({ where: { environmentId }, create: { environmentId, backend: 'EMBEDDED', updatedById: actor.id }, update: { backend: 'EMBEDDED', vaultSealed: null, updatedById: actor.id } })
      await audit(tx, actor, { action: 'secret.store_update', targetType: 'environment', targetId: environmentId, environmentId, summary: { backend: 'EMBEDDED' } })
    })
    return { backend: 'EMBEDDED' as const }
  }
  // Blank credentials keep the saved ones (the portal never shows them, so it cannot resend them).
  const previous = await readVaultSettings(deps.db, environmentId)
  const keep = previous?.auth.method === input.authMethod ? previous.auth : undefined
  const auth: VaultSettings['auth'] =
    input.authMethod === 'token'
      ? { method: 'token', token: input.token || (keep?.method === 'token' ? keep.token : '') }
      : { method: 'approle', roleId: input.roleId || (keep?.method === 'approle' ? keep.roleId : ''), secretId: input.secretId || (keep?.method === 'approle' ? keep.secretId : ''), mountPath: 'approle' }
  if (auth.method === 'token' && !auth.token) throw new DomainError('INVALID', 'Paste a Vault token: none is saved for this environment yet.', 'token')
  if (auth.method === 'approle' && (!auth.roleId || !auth.secretId)) throw new DomainError('INVALID', 'Give the AppRole role_id and secret_id: none are saved for this environment yet.', auth.roleId ? 'secretId' : 'roleId')
  const settings: VaultSettings = { address: input.address, namespace: input.namespace || undefined, mount: input.mount, pathPrefix: input.pathPrefix, auth, requestTimeoutMs: previous?.requestTimeoutMs ?? 5_000 }
  const vaultSealed = seal(JSON.stringify(settings), vaultSettingsContext(environmentId))
  await deps.db.$transaction(async (tx) => {
    await tx.secretStoreConfig.upsert({ where: { environmentId }, create: { environmentId, backend: 'VAULT', vaultSealed, updatedById: actor.id }, update: { backend: 'VAULT', vaultSealed, updatedById: actor.id } })
    await audit(tx, actor, {
      action: 'secret.store_update',
      targetType: 'environment',
      targetId: environmentId,
      environmentId,
      summary: { backend: 'VAULT', address: settings.address, namespace: settings.namespace ?? null, mount: settings.mount, pathPrefix: settings.pathPrefix, authMethod: auth.method, credentialsChanged: Boolean(input.token || input.secretId) },
    })
  })
  return { backend: 'VAULT' as const }
}

/**
 * Redeploys the running release's inputs so services get the rotated values: a normal deployment
 * request (approvals apply). The engine replaces exactly the containers whose secrets changed.
 */
export async function redeployAffectedServices(deps: SecretDeps, actor: AuditActor, input: { environmentId: string }) {
  const last = await deps.db.deployment.findFirst({ where: { environmentId: input.environmentId, status: 'SUCCEEDED' }, orderBy: { finishedAt: 'desc' }, include: { release: { select: { variables: true, number: true } } } })
  if (!last) throw new DomainError('PRECONDITION_FAILED', 'Nothing is deployed on this environment yet: deploy it from the Deployments page; it will read the current secrets.')
  // Same inputs, same bake window as the deployment that is running.
  const created = await requestDeployment(deps, actor, { environmentId: input.environmentId, variables: last.release.variables as Record<string, string>, bakeSeconds: last.bakeSeconds })
  return { id: created.id, number: created.number }
}
