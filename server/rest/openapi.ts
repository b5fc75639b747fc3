// The OpenAPI 3.1 document of /api/v1, generated from the routes' zod schemas (the same ones
// tRPC uses). JSON carries dates as ISO 8601 strings and 64-bit ids as decimal strings.
import { z } from 'zod'
import type { RestRoute } from './rest-route'

type JsonSchema = Record<string, unknown>

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      const type = (ctx.zodSchema as { _zod: { def: { type: string } } })._zod.def.type
      if (type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' })
      if (type === 'bigint') Object.assign(ctx.jsonSchema, { type: 'string', pattern: '^-?[0-9]+$' })
    },
  }) as JsonSchema
  delete out.$schema
  return out
}

const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'What went wrong and what to do next.' },
    field: { type: 'string', description: 'The input field a domain error is about.' },
    errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
  },
}

const problemRef = { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }
const ERROR_RESPONSES = {
  '400': { description: 'The request is not valid (each field is listed in `errors`).', ...problemRef },
  '401': { description: 'No API token, or it is unknown, expired or revoked.', ...problemRef },
  '403': { description: "The token's scopes (or its owner's role) do not allow this.", ...problemRef },
  '404': { description: 'Not found.', ...problemRef },
  '409': { description: 'The current state does not allow this (e.g. another deployment is running).', ...problemRef },
  '422': { description: 'Understood but refused (e.g. a release variable is missing).', ...problemRef },
  '429': { description: 'Too many requests for this token: wait Retry-After seconds.', headers: { 'Retry-After': { schema: { type: 'integer' } } }, ...problemRef },
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return []
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] }
  return Object.entries(object.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s
    return { name, in: where, required: where === 'path' || (object.required ?? []).includes(name), schema: rest, ...(description ? { description } : {}) }
  })
}

export function buildOpenApiDocument(routes: RestRoute<z.ZodType, z.ZodType, z.ZodType>[], serverUrl = '/api/v1') {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of routes) {
    const status = String(route.status ?? 200)
    paths[route.path] ??= {}
    paths[route.path][route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description && { description: route.description }),
      tags: [route.tag],
      parameters: [
        ...parametersOf(route.params, 'path'),
        ...parametersOf(route.query, 'query'),
        ...(route.idempotent ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 200 } }] : []),
      ],
      ...(route.body && { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }),
      responses: {
        [status]: { description: 'OK', content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } },
        ...ERROR_RESPONSES,
      },
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'TRAIDER Control Plane API',
      version: '1.0.0',
      description: 'Automation API of the TRAIDER control plane. Authenticate with an API token (Settings → API tokens) as `Authorization: Bearer trd_…`. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerToken: [] }],
    tags: ['environments', 'stacks', 'plans', 'deployments', 'approvals', 'backups', 'audit'].filter((t) => routes.some((r) => r.tag === t)).map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token: trd_ followed by 43 characters.' } },
      schemas: { Problem: problemSchema },
    },
  }
}
