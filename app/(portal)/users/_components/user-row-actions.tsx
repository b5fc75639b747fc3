'use client'
// Per-person actions: change role, disable/enable (confirmed, naming the person), reset
// password (confirmed, then the one-time password once). Your own row cannot lock you out.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Ban, KeyRound, MoreHorizontal, UserCheck, UserCog } from 'lucide-react'
import { useState } from 'react'
import { toast } from 'sonner'
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog'
import { Button } from '@/components/ui/button'
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuSub,
  DropdownMenuSubContent,
  DropdownMenuSubTrigger,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { ROLES, ROLE_LABELS } from '@/server/auth/permissions'
import type { Role } from '@/generated/prisma/enums'
import { OneTimePasswordDialog } from './one-time-password-dialog'
import type { OneTimePasswordResult, UserRow } from './types'

type Confirm = 'disable' | 'enable' | 'reset' | null

export function UserRowActions({ user, isSelf }: { user: UserRow; isSelf: boolean }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [confirm, setConfirm] = useState<Confirm>(null)
  const [reset, setReset] = useState<OneTimePasswordResult | null>(null)
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.user.list.queryKey() })
  const onError = (error: unknown) => toast.error(errorMessageFrom(error))

  const changeRole = useMutation(
    trpc.user.changeRole.mutationOptions({
      onSuccess: (u) => {
        toast.success(`${u.name} is now ${ROLE_LABELS[u.role]}.`)
        return refresh()
      },
      onError,
    }),
  )
  const setDisabled = useMutation(
    trpc.user.setDisabled.mutationOptions({
      onSuccess: (u) => {
        toast.success(u.disabled ? `${u.name} is disabled; their sessions have ended.` : `${u.name} can sign in again.`)
        return refresh()
      },
      onError,
    }),
  )
  const resetPassword = useMutation(
    trpc.user.resetPassword.mutationOptions({
      onSuccess: (result) => {
        setReset(result)
        return refresh()
      },
      onError,
    }),
  )
  const who = `${user.name} (${user.email})`

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon-sm" aria-label={`Actions for ${user.name}`} className="data-[state=open]:bg-accent">
            <MoreHorizontal aria-hidden />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end" className="w-56">
          <DropdownMenuLabel className="truncate text-xs font-normal text-muted-foreground">{user.email}</DropdownMenuLabel>
          <DropdownMenuSub>
            <DropdownMenuSubTrigger disabled={isSelf}>
              <UserCog aria-hidden />
              Change role
            </DropdownMenuSubTrigger>
            <DropdownMenuSubContent>
              <DropdownMenuRadioGroup
                value={user.role}
                onValueChange={(role) => {
                  if (role !== user.role) changeRole.mutate({ userId: user.id, role: role as Role })
                }}
              >
                {ROLES.map((role) => (
                  <DropdownMenuRadioItem key={role} value={role}>
                    {ROLE_LABELS[role]}
                  </DropdownMenuRadioItem>
                ))}
              </DropdownMenuRadioGroup>
            </DropdownMenuSubContent>
          </DropdownMenuSub>
          <DropdownMenuItem disabled={isSelf} onSelect={() => setConfirm('reset')}>
            <KeyRound aria-hidden />
            Reset password…
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          {user.disabled ? (
            <DropdownMenuItem onSelect={() => setConfirm('enable')}>
              <UserCheck aria-hidden />
              Enable…
            </DropdownMenuItem>
          ) : (
            <DropdownMenuItem variant="destructive" disabled={isSelf} onSelect={() => setConfirm('disable')}>
              <Ban aria-hidden />
              Disable…
            </DropdownMenuItem>
          )}
          {isSelf && (
            <p className="px-2 py-1.5 text-xs text-muted-foreground">
              This is you: another admin changes your role or account; your password is in Settings.
            </p>
          )}
        </DropdownMenuContent>
      </DropdownMenu>

      <AlertDialog open={confirm !== null} onOpenChange={(open) => !open && setConfirm(null)}>
        <AlertDialogContent>
          {confirm === 'disable' && (
            <AlertDialogHeader>
              <AlertDialogTitle>Disable {who}?</AlertDialogTitle>
              <AlertDialogDescription>
                Their sessions end at once. They cannot sign in until an admin enables the account again; nothing they did is deleted.
              </AlertDialogDescription>
            </AlertDialogHeader>
          )}
          {confirm === 'enable' && (
            <AlertDialogHeader>
              <AlertDialogTitle>Enable {who}?</AlertDialogTitle>
              <AlertDialogDescription>
                They can sign in again with their current password, as {ROLE_LABELS[user.role]}.
              </AlertDialogDescription>
            </AlertDialogHeader>
          )}
          {confirm === 'reset' && (
            <AlertDialogHeader>
              <AlertDialogTitle>Reset the password of {who}?</AlertDialogTitle>
              <AlertDialogDescription>
                Their current password stops working and their sessions end at once. You get a one-time password to give
                them; they must change it at first sign-in.
              </AlertDialogDescription>
            </AlertDialogHeader>
          )}
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction
              variant={confirm === 'enable' ? 'default' : 'destructive'}
              onClick={() => {
                if (confirm === 'disable') setDisabled.mutate({ userId: user.id, disabled: true })
                if (confirm === 'enable') setDisabled.mutate({ userId: user.id, disabled: false })
                if (confirm === 'reset') resetPassword.mutate({ userId: user.id })
              }}
            >
              {confirm === 'disable' ? `Disable ${user.name}` : confirm === 'enable' ? `Enable ${user.name}` : 'Reset password'}
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>

      <OneTimePasswordDialog result={reset && { ...reset, reason: 'reset' }} onClose={() => setReset(null)} />
    </>
  )
}
