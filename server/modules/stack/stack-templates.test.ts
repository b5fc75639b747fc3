// Every template in compose/templates loads (schema, supported subset) with stand-ins for
// its per-release variables, and passes the production policy with zero violations.
import { describe, expect, it } from 'vitest'
import { validateStackStructure } from './stack-variables'
import { evaluateStackPolicy } from './stack-policy'
import { listStackTemplates } from './stack-templates'

describe('compose/templates', async () => {
  const templates = await listStackTemplates()

  it('has at least one template, each with a title and description', () => {
    expect(templates.length).toBeGreaterThan(0)
    for (const t of templates) {
      expect(t.title, t.id).not.toBe(t.id)
      expect(t.description.length, t.id).toBeGreaterThan(10)
    }
  })

  it.each(templates.map((t) => [t.id, t] as const))('%s loads and passes the production policy', (_id, template) => {
    // Stand-ins for the per-release variables (image tags): the same the portal uses on save.
    const loaded = validateStackStructure(template.composeYaml)
    if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'))
    expect(evaluateStackPolicy(loaded.spec, { tier: 'PRODUCTION' })).toEqual([])
  })
})
