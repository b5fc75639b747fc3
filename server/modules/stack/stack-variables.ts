// Which variables a compose file uses, and which of them a release must supply (used
// without a default). Lets a stack be saved before its per-release inputs are known.
import { parseComposeYaml } from './compose-parse'
import { interpolateCompose } from './interpolate'
import { loadStack } from './load-stack'
import type { LoadStackResult } from './stack.types'

export type StackVariables = { used: string[]; required: string[] }

export function stackVariables(yamlText: string): StackVariables {
  const parsed = parseComposeYaml(yamlText)
  if (!parsed.ok) return { used: [], required: [] }
  const interpolated = interpolateCompose(parsed.data, {})
  return { used: interpolated.variablesUsed, required: interpolated.variablesMissing }
}

/** Validates a stack's structure with a stand-in for each required variable (save time). */
export function validateStackStructure(yamlText: string): LoadStackResult & { required: string[] } {
  const { required } = stackVariables(yamlText)
  const placeholders = Object.fromEntries(required.map((name) => [name, 'placeholder']))
  return { ...loadStack(yamlText, placeholders), required }
}
