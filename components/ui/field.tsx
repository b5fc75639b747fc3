// shadcn/ui Field (v4): a label, its control, help text and the error under it, laid
// out the same way in every form. FieldError is announced to screen readers.
import * as React from 'react'
import { cn } from '@/lib/utils'

function Field({ className, ...props }: React.ComponentProps<'div'>) {
  return <div data-slot="field" role="group" className={cn('grid content-start gap-2', className)} {...props} />
}

function FieldDescription({ className, ...props }: React.ComponentProps<'p'>) {
  return <p data-slot="field-description" className={cn('text-[0.8rem] leading-snug text-muted-foreground', className)} {...props} />
}

function FieldError({ className, children, ...props }: React.ComponentProps<'p'>) {
  if (!children) return null
  return (
    <p data-slot="field-error" role="alert" className={cn('text-[0.8rem] leading-snug font-medium text-destructive', className)} {...props}>
      {children}
    </p>
  )
}

export { Field, FieldDescription, FieldError }
