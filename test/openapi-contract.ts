// Checks REST responses against the SERVED OpenAPI document with independent libraries:
// @seriousme/openapi-schema-validator for the document itself, @hyperjump/json-schema's
// OpenAPI 3.1 dialect for each response body. Nothing here reuses the code that wrote the document.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Validator } from '@seriousme/openapi-schema-validator'
import { validate } from '@hyperjump/json-schema/openapi-3-1'

type OpenApiDoc = { openapi: string; servers: Array<{ url: string }>; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> }

const pointer = (...segments: string[]) => segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')

export async function loadServedOpenApi(origin: string) {
  const res = await fetch(`${origin}/api/v1/openapi.json`)
  if (res.status !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.status}`)
  const doc = (await res.json()) as OpenApiDoc
  const docCheck = await new Validator().validate(doc as never)
  if (!docCheck.valid) throw new Error(`The served OpenAPI document is invalid: ${JSON.stringify(docCheck.errors).slice(0, 2000)}`)
  const dir = mkdtempSync(path.join(tmpdir(), 'traider-openapi-'))
  const file = path.join(dir, `served-${randomBytes(4).toString('hex')}.openapi.json`)
  writeFileSync(file, JSON.stringify(doc))
  const fileUrl = pathToFileURL(file).href
  const base = doc.servers[0].url
  const templates = Object.keys(doc.paths).map((t) => ({ t, re: new RegExp(`^${t.replace(/\{\w+\}/g, '[^/]+')}$`) }))
  let checked = 0

  /** Throws unless `body` (already read from `res`) matches the document for this request's path, method and status. */
  async function check(method: string, url: string, res: Response, body: unknown) {
    const pathname = new URL(url).pathname.slice(base.length)
    const template = templates.find((x) => x.re.test(pathname))?.t
    if (!template) throw new Error(`${method} ${pathname} is not in the OpenAPI document`)
    const operation = doc.paths[template][method.toLowerCase()]
    if (!operation) throw new Error(`${method} ${template} is not in the OpenAPI document`)
    const status = String(res.status)
    const response = operation.responses[status]
    if (!response) throw new Error(`${method} ${template} answered ${status}, which the document does not list`)
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0]
    if (!response.content?.[contentType]) throw new Error(`${method} ${template} ${status}: content type ${contentType} is not documented`)
    const schemaUri = `${fileUrl}#/${pointer('paths', template, method.toLowerCase(), 'responses', status, 'content', contentType, 'schema')}`
    const output = await validate(schemaUri, body as never)
    if (!output.valid) throw new Error(`${method} ${pathname} ${status} does not match the OpenAPI document: ${JSON.stringify(output).slice(0, 1500)}\nbody: ${JSON.stringify(body).slice(0, 1500)}`)
    checked++
  }

  return { doc, check, checkedCount: () => checked, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}
