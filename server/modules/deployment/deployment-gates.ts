// The end of the bake window: the environment's PromQL gates (through the EngineDeps seam).
// Every result is logged with its query and value; one failure fails the verify step and
// triggers the automatic rollback.
import { RolloutFailure, type EngineContext } from './engine-context'

export async function checkDeploymentGates(ctx: EngineContext): Promise<void> {
  if (!ctx.deps.gates) return
  const results = await ctx.deps.gates({ deploymentId: ctx.deploymentId, environmentId: ctx.environmentId })
  for (const r of results) await ctx.recorder.log('verify', `${r.ok ? '✓' : '✗'} gate ${r.name}: ${r.message}`, r.ok ? 'info' : 'error')
  const failed = results.filter((r) => !r.ok)
  if (failed.length > 0) throw new RolloutFailure(`deployment gate${failed.length === 1 ? '' : 's'} failed: ${failed.map((r) => `${r.name}: ${r.message}`).join(' · ')}`)
}
