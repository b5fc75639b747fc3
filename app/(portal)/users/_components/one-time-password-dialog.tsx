'use client'
// Shows a new or reset account's one-time password exactly once, with a copy button and
// what to do with it. It cannot be shown again, so a stray click outside does not close it.
import { OneTimeSecret, OneTimeSecretDialog } from '@/components/one-time-secret'

export function OneTimePasswordDialog({
  result,
  onClose,
}: {
  result: { user: { name: string; email: string }; oneTimePassword: string; reason: 'created' | 'reset' } | null
  onClose: () => void
}) {
  return (
    <OneTimeSecretDialog open={!!result} onClose={onClose} className="sm:max-w-md">
      {result && (
        <OneTimeSecret
          title={result.reason === 'created' ? `${result.user.name} can now sign in` : `${result.user.name}'s password was reset`}
          description={`Give this to ${result.user.name} through a safe channel; they must change it at first sign-in.`}
          caption={
            <>
              One-time password for <span className="font-medium text-foreground">{result.user.email}</span>
            </>
          }
          value={result.oneTimePassword}
          label="One-time password"
          noun="one-time password"
          large
          warning="It is shown only now: once you close this window nobody can see it again. If it gets lost, reset the password once more."
          onDone={onClose}
        />
      )}
    </OneTimeSecretDialog>
  )
}
