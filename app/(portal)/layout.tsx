// The signed-in shell: sidebar (a sheet on phones), top bar with the person and sign-out.
// Every request re-reads the user: a disabled account or an ended session lands on /login,
// a one-time password on /change-password.
import Link from 'next/link'
import { redirect } from 'next/navigation'
import type { ReactNode } from 'react'
import { ProductMark } from '@/components/product-mark'
import { RoleBadge } from '@/components/role-badge'
import { SignOutButton } from '@/components/sign-out-button'
import { ThemeToggle } from '@/components/theme-toggle'
import { Separator } from '@/components/ui/separator'
import { hasPermission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { MobileNav, SidebarNav } from './_components/portal-nav'
import { AuditBanner } from './_components/audit-banner'
import { BackupBanner } from './backups/_components/backup-freshness'
import { NotificationBell } from './_components/notification-bell'

export const dynamic = 'force-dynamic'

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await getSessionUser()
  if (!user) redirect('/login')
  if (user.mustChangePassword) redirect('/change-password')
  const isAdmin = hasPermission(user.role, 'user:manage')

  return (
    <div className="flex min-h-svh">
      <aside className="sticky top-0 hidden h-svh w-60 shrink-0 flex-col border-r bg-sidebar text-sidebar-foreground md:flex">
        <div className="flex h-14 shrink-0 items-center px-4">
          <Link href="/" className="rounded-md outline-none focus-visible:ring-2 focus-visible:ring-sidebar-ring">
            <ProductMark />
          </Link>
        </div>
        <div className="flex-1 overflow-y-auto px-3 py-2">
          <SidebarNav isAdmin={isAdmin} />
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-40 flex h-14 shrink-0 items-center gap-2 border-b bg-background/95 px-4 backdrop-blur supports-[backdrop-filter]:bg-background/80 md:px-6">
          <MobileNav isAdmin={isAdmin} />
          <Link href="/" className="rounded-md outline-none focus-visible:ring-2 focus-visible:ring-ring md:hidden">
            <ProductMark compact />
          </Link>
          <div className="ml-auto flex min-w-0 items-center gap-2">
            <span className="hidden truncate text-sm font-medium sm:inline" title={user.email}>
              {user.name}
            </span>
            <RoleBadge role={user.role} />
            <Separator orientation="vertical" className="mx-1 data-[orientation=vertical]:h-5" />
            <NotificationBell />
            <ThemeToggle />
            <SignOutButton className="hidden sm:inline-flex" />
            <SignOutButton compact className="sm:hidden" />
          </div>
        </header>
        <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 md:px-8">
          <AuditBanner />
          <BackupBanner />
          {children}
        </main>
      </div>
    </div>
  )
}
