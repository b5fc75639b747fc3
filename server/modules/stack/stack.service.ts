// Stacks in the database: one per environment, every saved compose file kept as a new
// version. Saving validates structure (schema, supported subset, references); variables
// are supplied per release, at deploy time.
import type { Db } from '@/server/db'
import { DomainError, notFound } from '@/server/errors'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { validateStackStructure } from './stack-variables'
import type { StackError } from './stack.types'

export type StackDeps = { db: Db }

export function formatStackErrors(errors: StackError[]): string {
  const lines = errors.slice(0, 10).map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message}`)
  const more = errors.length > 10 ? `\n…and ${errors.length - 10} more` : ''
  return `The compose file has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}${more}`
}

export async function getStack(deps: StackDeps, environmentId: string) {
  const environment = await deps.db.environment.findUnique({ where: { id: environmentId }, select: { id: true } })
  if (!environment) throw notFound('Environment')
  const stack = await deps.db.stack.findUnique({
    where: { environmentId },
    include: { versions: { orderBy: { version: 'desc' }, take: 20, select: { id: true, version: true, source: true, note: true, createdAt: true, createdById: true, composeYaml: true } } },
  })
  if (!stack) return null
  const [latest, ...history] = stack.versions
  const structure = validateStackStructure(latest.composeYaml)
  return {
    id: stack.id,
    latest,
    requiredVariables: structure.required,
    services: structure.ok ? structure.spec.services.map((s) => s.name) : [],
    history: history.map(({ composeYaml: _yaml, ...rest }) => rest),
  }
}

export async function saveStackVersion(
  deps: StackDeps,
  actor: AuditActor,
  input: { environmentId: string; composeYaml: string; source: string; note?: string },
) {
  const structure = validateStackStructure(input.composeYaml)
  if (!structure.ok) throw new DomainError('INVALID', formatStackErrors(structure.errors), 'composeYaml')
  return deps.db.$transaction(async (tx) => {
    const environment = await tx.environment.findUnique({ where: { id: input.environmentId }, select: { id: true } })
    if (!environment) throw notFound('Environment')
    const stack = await tx.stack.upsert({ where: { environmentId: input.environmentId }, create: { environmentId: input.environmentId }, update: {} })
    // Row lock on the stack: two saves at once get consecutive versions, not a clash.
    await tx.$queryRaw`SELECT id FROM "Stack" WHERE id = ${stack.id} FOR UPDATE`
    const last = await tx.stackVersion.findFirst({ where: { stackId: stack.id }, orderBy: { version: 'desc' }, select: { version: true, composeYaml: true } })
    if (last && last.composeYaml === input.composeYaml) {
      return tx.stackVersion.findFirstOrThrow({ where: { stackId: stack.id, version: last.version } })
    }
    const version = await tx.stackVersion.create({
      data: {
        stackId: stack.id,
        version: (last?.version ?? 0) + 1,
        composeYaml: input.composeYaml,
        source: input.source,
        note: input.note ?? '',
        createdById: actor.type === 'USER' ? actor.id : null,
      },
    })
    await audit(tx, actor, {
      action: 'stack.save',
      targetType: 'stack',
      targetId: stack.id,
      environmentId: input.environmentId,
      summary: { version: version.version, source: input.source, services: structure.spec.services.map((s) => s.name) },
    })
    return version
  })
}
