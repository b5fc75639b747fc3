// The environment's stack: read it (with required release variables), save a new version.
import { z } from 'zod'
import { permissionProcedure, router } from '@/server/api/trpc'
import { saveStackInput } from '@/server/modules/deployment/deployment.schema'
import { getStack, saveStackVersion } from '@/server/modules/stack/stack.service'
import { stackOutput } from '@/server/modules/stack/stack.schema'
import { validateStackStructure } from '@/server/modules/stack/stack-variables'
import { listStackTemplates } from '@/server/modules/stack/stack-templates'

const stackErrorOutput = z.object({ path: z.string().optional(), service: z.string().optional(), line: z.number().optional(), column: z.number().optional(), message: z.string() })

export const stackRouter = router({
  templates: permissionProcedure('env:read')
    .output(z.array(z.object({ id: z.string(), title: z.string(), description: z.string(), composeYaml: z.string() })))
    .query(() => listStackTemplates()),

  get: permissionProcedure('env:read')
    .input(z.object({ environmentId: z.string().min(1) }))
    .output(stackOutput.nullable())
    .query(({ ctx, input }) => getStack(ctx.services, input.environmentId)),

  /** Checks a compose file without saving it, for the editor to show problems in place. */
  validate: permissionProcedure('env:read')
    .input(z.object({ composeYaml: z.string().max(512 * 1024) }))
    .output(z.object({ ok: z.boolean(), errors: z.array(stackErrorOutput), services: z.array(z.string()), requiredVariables: z.array(z.string()) }))
    .query(({ input }) => {
      const result = validateStackStructure(input.composeYaml)
      return result.ok
        ? { ok: true, errors: [], services: result.spec.services.map((s) => s.name), requiredVariables: result.required }
        : { ok: false, errors: result.errors, services: [], requiredVariables: result.required }
    }),

  save: permissionProcedure('env:manage')
    .input(saveStackInput)
    .output(z.object({ id: z.string(), version: z.number() }))
    .mutation(async ({ ctx, input }) => {
      const saved = await saveStackVersion(ctx.services, ctx.actor, input)
      return { id: saved.id, version: saved.version }
    }),
})
