'use client'
// Everyone who can sign in: role, whether the account is active, when they last signed in.
// A non-admin gets the server's FORBIDDEN sentence as an in-page notice.
import { useQuery } from '@tanstack/react-query'
import { Ban, CircleAlert, CircleCheck, KeyRound, ShieldX } from 'lucide-react'
import { RelativeTime } from '@/components/relative-time'
import { RoleBadge } from '@/components/role-badge'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { cn } from '@/lib/utils'
import type { UserRow } from './types'
import { UserRowActions } from './user-row-actions'

function AccountStatus({ user, className }: { user: UserRow; className?: string }) {
  return (
    <div className={cn('flex flex-col items-start gap-1', className)}>
      {user.disabled ? (
        <Badge variant="outline" className="text-muted-foreground">
          <Ban aria-hidden />
          Disabled
        </Badge>
      ) : (
        <Badge variant="outline">
          <CircleCheck aria-hidden className="text-success" />
          Active
        </Badge>
      )}
      {user.mustChangePassword && !user.disabled && (
        <span className="inline-flex items-center gap-1 text-xs text-muted-foreground">
          <KeyRound aria-hidden className="size-3" />
          One-time password
        </span>
      )}
    </div>
  )
}

export function UsersTable({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC()
  const query = useQuery({
    ...trpc.user.list.queryOptions(),
    retry: (count, error) => error.data?.code !== 'FORBIDDEN' && count < 1,
  })

  if (query.isError) {
    const forbidden = query.error.data?.code === 'FORBIDDEN'
    return (
      <Alert variant={forbidden ? 'warning' : 'destructive'}>
        {forbidden ? <ShieldX aria-hidden /> : <CircleAlert aria-hidden />}
        <AlertTitle>{forbidden ? 'Only administrators manage users' : 'Could not load users'}</AlertTitle>
        <AlertDescription>
          <p>{errorMessageFrom(query.error)}</p>
          {!forbidden && (
            <Button variant="outline" size="sm" className="mt-2" onClick={() => query.refetch()}>
              Try again
            </Button>
          )}
        </AlertDescription>
      </Alert>
    )
  }

  return (
    <div className="rounded-lg border">
      <Table>
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead className="pl-4">Name</TableHead>
            <TableHead className="hidden md:table-cell">E-mail</TableHead>
            <TableHead>Role</TableHead>
            <TableHead className="hidden sm:table-cell">Status</TableHead>
            <TableHead className="hidden sm:table-cell">Last sign-in</TableHead>
            <TableHead className="w-12 pr-4">
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {query.isPending &&
            Array.from({ length: 3 }, (_, i) => (
              <TableRow key={i}>
                <TableCell className="pl-4"><Skeleton className="h-4 w-28" /></TableCell>
                <TableCell className="hidden md:table-cell"><Skeleton className="h-4 w-40" /></TableCell>
                <TableCell><Skeleton className="h-5 w-16" /></TableCell>
                <TableCell className="hidden sm:table-cell"><Skeleton className="h-5 w-16" /></TableCell>
                <TableCell className="hidden sm:table-cell"><Skeleton className="h-4 w-20" /></TableCell>
                <TableCell />
              </TableRow>
            ))}
          {query.data?.map((user) => {
            const isSelf = user.id === currentUserId
            return (
              <TableRow key={user.id} className={cn(user.disabled && 'text-muted-foreground')}>
                <TableCell className="max-w-56 pl-4">
                  <div className="flex items-center gap-2">
                    <span className="truncate font-medium">{user.name}</span>
                    {isSelf && (
                      <Badge variant="outline" className="px-1.5 text-[0.65rem]">
                        You
                      </Badge>
                    )}
                  </div>
                  <div className="truncate text-xs text-muted-foreground md:hidden">{user.email}</div>
                </TableCell>
                <TableCell className="hidden md:table-cell">{user.email}</TableCell>
                <TableCell>
                  <RoleBadge role={user.role} />
                  <AccountStatus user={user} className="mt-1.5 sm:hidden" />
                </TableCell>
                <TableCell className="hidden sm:table-cell">
                  <AccountStatus user={user} />
                </TableCell>
                <TableCell className="hidden text-muted-foreground sm:table-cell">
                  {user.lastSignInAt ? <RelativeTime date={user.lastSignInAt} /> : 'Never'}
                </TableCell>
                <TableCell className="pr-4 text-right">
                  <UserRowActions user={user} isSelf={isSelf} />
                </TableCell>
              </TableRow>
            )
          })}
        </TableBody>
      </Table>
    </div>
  )
}
