// Turns a failed tRPC mutation into what a form shows: one message under each field the
// server named (zod field errors or a DomainError's `field`), and the rest above the form.
import { TRPCClientError } from '@trpc/client'

export type FormErrors = { fields: Record<string, string>; form: string | null }

type ErrorData = {
  code?: string
  zodError?: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null
  field?: string | null
}

const UNREACHABLE = 'The control plane did not answer. Check your connection, then try again.'

/** `fields` lists the inputs the form shows; errors about other inputs go to `form`. */
export function formErrorsFrom(error: unknown, fields: readonly string[]): FormErrors {
  if (!(error instanceof TRPCClientError)) {
    return { fields: {}, form: error instanceof Error ? error.message : 'Something went wrong. Try again.' }
  }
  const data = (error.data ?? null) as ErrorData | null
  if (!data) return { fields: {}, form: UNREACHABLE }

  const result: Record<string, string> = {}
  const loose: string[] = []
  if (data.zodError) {
    for (const [name, messages] of Object.entries(data.zodError.fieldErrors)) {
      const first = messages?.[0]
      if (!first) continue
      if (fields.includes(name)) result[name] = first
      else loose.push(first)
    }
    loose.push(...data.zodError.formErrors)
    // tRPC's own input-validation message is a JSON dump of the issues: never show it.
    return { fields: result, form: loose.length ? loose.join(' ') : Object.keys(result).length ? null : 'Check the form and try again.' }
  }
  if (data.field && fields.includes(data.field)) return { fields: { [data.field]: error.message }, form: null }
  return { fields: {}, form: error.message }
}

/** The message to show in a toast or notice for any failed call. */
export function errorMessageFrom(error: unknown): string {
  const { fields, form } = formErrorsFrom(error, [])
  return form ?? Object.values(fields)[0] ?? 'Something went wrong. Try again.'
}
