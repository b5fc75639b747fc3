// RFC 9457 problem details: every REST error is application/problem+json with a title, the
// HTTP status and a `detail` a person can act on. Validation problems list each field.
import { ZodError } from 'zod'
import { DomainError, type DomainErrorCode } from '@/server/errors'

export type FieldProblem = { field: string; message: string }
export type ProblemBody = { type: string; title: string; status: number; detail: string; errors?: FieldProblem[]; field?: string }

const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  INVALID: 422,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 409,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

const slug = (s: string) => s.toLowerCase().replace(/_/g, '-')

export function problemResponse(status: number, detail: string, extra: Partial<ProblemBody> & { code?: string } = {}, headers: Record<string, string> = {}): Response {
  const { code, ...rest } = extra
  const body: ProblemBody = { type: code ? `urn:traider:problem:${slug(code)}` : 'about:blank', title: TITLES[status] ?? 'Error', status, detail, ...rest }
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers } })
}

export function fieldProblems(error: ZodError, prefix: string): FieldProblem[] {
  return error.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || prefix, message: i.message }))
}

export function validationProblem(problems: FieldProblem[]): Response {
  const detail = `The request is not valid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`
  return problemResponse(400, detail, { code: 'VALIDATION', errors: problems })
}

/** A service's error as a problem; anything unexpected is a 500 without internals. */
export function problemFromError(error: unknown): { response: Response; unexpected: boolean } {
  if (error instanceof DomainError) {
    return { response: problemResponse(DOMAIN_STATUS[error.code], error.message, { code: error.code, ...(error.field && { field: error.field }) }), unexpected: false }
  }
  if (error instanceof ZodError) return { response: validationProblem(fieldProblems(error, 'body')), unexpected: false }
  return {
    response: problemResponse(500, 'The server hit an unexpected error. Try again; if it keeps happening, check the control plane logs.', { code: 'INTERNAL' }),
    unexpected: true,
  }
}
