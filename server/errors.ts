// Domain errors: services throw these, never TRPCError or HTTP types. One middleware in
// server/api/trpc.ts (and the REST layer) maps each code to a transport status.
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'RATE_LIMITED'
  | 'PRECONDITION_FAILED'
  | 'UNAVAILABLE'

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** For INVALID: which input field the message is about, so a form can show it in place. */
    readonly field?: string,
  ) {
    super(message)
    this.name = 'DomainError'
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} was not found. It may have been deleted: reload the list.`)
