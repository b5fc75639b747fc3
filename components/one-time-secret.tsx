'use client'
// A secret the server shows exactly once (API token, one-time password, webhook signing key):
// the value in monospace, a copy button, the "shown only now" warning and Done.
import { Check, Copy, KeyRound } from 'lucide-react'
import { useState, type ReactNode } from 'react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { cn } from '@/lib/utils'

export function OneTimeSecret({
  title,
  description,
  value,
  label,
  noun,
  caption,
  warning,
  children,
  large = false,
  testId,
  onDone,
}: {
  title: ReactNode
  description: ReactNode
  value: string
  /** The field's accessible name, e.g. "New API token". */
  label: string
  /** What the secret is, in lower case, for the copy button and its toasts: "token". */
  noun: string
  /** A line above the value (e.g. whose password it is). */
  caption?: ReactNode
  /** Under the value: that it cannot be shown again and what to do if it is lost. */
  warning: ReactNode
  /** Anything after the warning (e.g. how to use the value). */
  children?: ReactNode
  /** Larger type for a short value a person may read out or type. */
  large?: boolean
  testId?: string
  onDone: () => void
}) {
  const [copied, setCopied] = useState(false)

  async function copy() {
    try {
      await navigator.clipboard.writeText(value)
      setCopied(true)
      toast.success(`${noun[0].toUpperCase()}${noun.slice(1)} copied to the clipboard.`)
    } catch {
      toast.error(`This browser refused clipboard access: select the ${noun} and copy it by hand.`)
    }
  }

  return (
    <>
      <DialogHeader>
        <DialogTitle className="flex items-center gap-2">
          <KeyRound aria-hidden className="size-5 shrink-0 text-muted-foreground" />
          {title}
        </DialogTitle>
        <DialogDescription>{description}</DialogDescription>
      </DialogHeader>
      <div className="grid min-w-0 grid-cols-1 gap-2">
        {caption && <div className="text-xs text-muted-foreground">{caption}</div>}
        <div className="flex items-center gap-2">
          <Input
            readOnly
            value={value}
            aria-label={label}
            onFocus={(e) => e.currentTarget.select()}
            spellCheck={false}
            data-testid={testId}
            className={cn('h-10 min-w-0 flex-1 bg-muted font-mono dark:bg-muted', large ? 'text-base tracking-wide md:text-base' : 'text-sm md:text-sm')}
          />
          <Button type="button" variant="outline" size="icon" className="size-10 shrink-0" onClick={copy} aria-label={`Copy ${noun}`}>
            {copied ? <Check aria-hidden className="text-success" /> : <Copy aria-hidden />}
          </Button>
        </div>
        <p className="text-xs text-muted-foreground">{warning}</p>
      </div>
      {children}
      <DialogFooter>
        <Button onClick={onDone}>Done</Button>
      </DialogFooter>
    </>
  )
}

/**
 * The dialog around a OneTimeSecret shown on its own. A stray click outside does not close
 * it: the value cannot be shown again. Pass the OneTimeSecret as children while open.
 */
export function OneTimeSecretDialog({ open, onClose, className, children }: { open: boolean; onClose: () => void; className?: string; children: ReactNode }) {
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onClose()}>
      <DialogContent onInteractOutside={(e) => e.preventDefault()} className={className}>
        {children}
      </DialogContent>
    </Dialog>
  )
}
