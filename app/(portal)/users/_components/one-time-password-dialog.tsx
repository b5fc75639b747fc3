'use client'
// Shows a new or reset account's one-time password exactly once, with a copy button and
// what to do with it. It cannot be shown again, so a stray click outside does not close it.
import { Check, Copy, KeyRound } from 'lucide-react'
import { useState } from 'react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'

export function OneTimePasswordDialog({
  result,
  onClose,
}: {
  result: { user: { name: string; email: string }; oneTimePassword: string; reason: 'created' | 'reset' } | null
  onClose: () => void
}) {
  const [copied, setCopied] = useState(false)

  async function copy(password: string) {
    try {
      await navigator.clipboard.writeText(password)
      setCopied(true)
      toast.success('One-time password copied to the clipboard.')
    } catch {
      toast.error('This browser refused clipboard access: select the password and copy it by hand.')
    }
  }

  return (
    <Dialog
      open={!!result}
      onOpenChange={(open) => {
        if (!open) {
          setCopied(false)
          onClose()
        }
      }}
    >
      <DialogContent onInteractOutside={(e) => e.preventDefault()} className="sm:max-w-md">
        {result && (
          <>
            <DialogHeader>
              <DialogTitle className="flex items-center gap-2">
                <KeyRound aria-hidden className="size-5 text-muted-foreground" />
                {result.reason === 'created' ? `${result.user.name} can now sign in` : `${result.user.name}'s password was reset`}
              </DialogTitle>
              <DialogDescription>
                Give this to {result.user.name} through a safe channel; they must change it at first sign-in.
              </DialogDescription>
            </DialogHeader>
            <div className="grid grid-cols-1 gap-2">
              <div className="text-xs text-muted-foreground">
                One-time password for <span className="font-medium text-foreground">{result.user.email}</span>
              </div>
              <div className="flex items-center gap-2">
                <Input
                  readOnly
                  value={result.oneTimePassword}
                  aria-label="One-time password"
                  onFocus={(e) => e.currentTarget.select()}
                  spellCheck={false}
                  className="h-10 flex-1 bg-muted font-mono text-base tracking-wide md:text-base dark:bg-muted"
                />
                <Button type="button" variant="outline" size="icon" className="size-10" onClick={() => copy(result.oneTimePassword)} aria-label="Copy one-time password">
                  {copied ? <Check aria-hidden className="text-success" /> : <Copy aria-hidden />}
                </Button>
              </div>
              <p className="text-xs text-muted-foreground">
                It is shown only now: once you close this window nobody can see it again. If it gets lost, reset the
                password once more.
              </p>
            </div>
            <DialogFooter>
              <Button
                onClick={() => {
                  setCopied(false)
                  onClose()
                }}
              >
                Done
              </Button>
            </DialogFooter>
          </>
        )}
      </DialogContent>
    </Dialog>
  )
}
