// The rollout's one read of the SecretStore: every secret the plan uses, read just before the
// first container changes. Values stay in memory (and go to the containers); the deployment
// records names and versions only, the recorder learns the values so it can scrub its logs,
// and the read is audited (names and versions).
import type { SecretRead } from '@/server/infra/ports'
import { audit } from '@/server/modules/audit/audit'
import { defaultSecretStoreResolver, readSecretsForRollout, secretUsesOf, type SecretUse } from '@/server/modules/secret/deployment-secrets'
import { RolloutFailure, type EngineContext } from './engine-context'

export type RolloutSecrets = { uses: SecretUse[]; values: Map<string, SecretRead> }

export const DEPLOY_WORKER_ACTOR = { type: 'SYSTEM' as const, id: null, label: 'deploy worker' }

export async function readRolloutSecrets(ctx: EngineContext): Promise<RolloutSecrets> {
  const uses = secretUsesOf(ctx.plan)
  if (uses.length === 0) {
    await ctx.deps.db.deployment.update({ where: { id: ctx.deploymentId }, data: { secretVersions: {} } })
    return { uses, values: new Map() }
  }
  let values: Map<string, SecretRead>
  try {
    const store = await (ctx.deps.secrets ?? defaultSecretStoreResolver(ctx.deps.db))(ctx.environmentId)
    values = await readSecretsForRollout(store, uses)
  } catch (error) {
    throw new RolloutFailure(`the secrets could not be read (nothing was changed yet): ${(error as Error).message}`)
  }
  ctx.recorder.redact([...values.values()].map((v) => v.value))
  const versions = Object.fromEntries([...values.values()].map((v) => [v.name, v.version]))
  await ctx.deps.db.$transaction(async (tx) => {
    await tx.deployment.update({ where: { id: ctx.deploymentId }, data: { secretVersions: versions } })
    await audit(tx, DEPLOY_WORKER_ACTOR, { action: 'secret.read', targetType: 'deployment', targetId: ctx.deploymentId, environmentId: ctx.environmentId, summary: { purpose: 'rollout', versions } })
  })
  await ctx.recorder.log('rollout', `secrets read at rollout: ${Object.entries(versions).map(([name, version]) => `${name} v${version}`).join(', ')}`)
  return { uses, values }
}
