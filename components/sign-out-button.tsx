'use client'
// Signs out and goes to the sign-in page, dropping every cached query of the last session.
import { useQueryClient } from '@tanstack/react-query'
import { LoaderCircle, LogOut } from 'lucide-react'
import { signOut } from 'next-auth/react'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'

export function useSignOut() {
  const router = useRouter()
  const queryClient = useQueryClient()
  const [pending, setPending] = useState(false)
  async function signOutToLogin() {
    setPending(true)
    try {
      // redirect: false — next-auth would build the URL from NEXTAUTH_URL; the router keeps us on this origin.
      await signOut({ redirect: false, callbackUrl: '/login' })
    } finally {
      queryClient.clear()
      router.replace('/login')
      router.refresh()
    }
  }
  return { signOut: signOutToLogin, pending }
}

export function SignOutButton({ className, compact = false }: { className?: string; compact?: boolean }) {
  const { signOut: run, pending } = useSignOut()
  return (
    <Button
      variant="ghost"
      size={compact ? 'icon' : 'sm'}
      className={className}
      disabled={pending}
      aria-label="Sign out"
      onClick={() => void run()}
    >
      {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : <LogOut aria-hidden />}
      {!compact && 'Sign out'}
    </Button>
  )
}
