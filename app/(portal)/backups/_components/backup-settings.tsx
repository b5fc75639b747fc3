'use client'
// Where the environment's database is and how it is backed up, the schedules (cron, UTC) with
// their next runs, retention and the RPO target. Admins edit; everyone else reads.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { LoaderCircle, Save } from 'lucide-react'
import { useState, type ReactNode } from 'react'
import { toast } from 'sonner'
import { useNow } from '@/components/relative-time'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { formErrorsFrom } from '@/lib/form-errors'
import { formatDateTime } from '@/lib/format'
import { useTRPC } from '@/lib/trpc'
import { formatSeconds, type BackupOverview } from './types'

const FIELDS = ['location', 'service', 'host', 'port', 'database', 'dbUser', 'osUser', 'passwordSecret', 'engine', 'pgbackrestConfig', 'pgbackrestStanza', 'fullCron', 'incrementalCron', 'drillCron', 'retentionDays', 'keepFulls', 'rpoTargetMinutes'] as const

const selectClass = 'h-9 w-full rounded-md border border-input bg-transparent px-3 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 disabled:opacity-60'

function Row({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="grid min-w-0 content-start gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {hint && <p className="text-xs text-muted-foreground">{hint}</p>}
      {error && <FieldError>{error}</FieldError>}
    </div>
  )
}

export function BackupSettings({ overview, canManage }: { overview: BackupOverview; canManage: boolean }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const c = overview.config
  const [form, setForm] = useState({
    location: c?.location ?? 'HOST',
    service: c?.service ?? 'postgres',
    host: c?.host ?? '127.0.0.1',
    port: String(c?.port ?? 5432),
    database: c?.database ?? '',
    dbUser: c?.dbUser ?? 'postgres',
    osUser: c?.osUser ?? '',
    passwordSecret: c?.passwordSecret ?? '',
    engine: c?.engine ?? 'PG_DUMP',
    pgbackrestConfig: c?.pgbackrestConfig ?? '',
    pgbackrestStanza: c?.pgbackrestStanza ?? '',
    fullCron: c?.fullCron ?? '0 2 * * *',
    incrementalCron: c?.incrementalCron ?? '0 * * * *',
    drillCron: c?.drillCron ?? '30 3 * * *',
    schedulesEnabled: c?.schedulesEnabled ?? true,
    retentionDays: String(c?.retentionDays ?? 30),
    keepFulls: String(c?.keepFulls ?? 2),
    rpoTargetMinutes: String(c?.rpoTargetMinutes ?? 60),
  })
  const [errors, setErrors] = useState<Record<string, string>>({})
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }))
  const save = useMutation(
    trpc.backup.saveConfig.mutationOptions({
      onSuccess: async () => {
        setErrors({})
        toast.success('Backup settings saved; schedules updated.')
        await queryClient.invalidateQueries({ queryKey: trpc.backup.overview.queryKey() })
        await queryClient.invalidateQueries({ queryKey: trpc.backup.health.queryKey() })
      },
      onError: (error) => {
        const parsed = formErrorsFrom(error, FIELDS)
        setErrors(parsed.fields)
        toast.error(parsed.form ?? 'Check the highlighted fields.')
      },
    }),
  )
  const submit = () =>
    save.mutate({
      environmentId: overview.environment.id,
      location: form.location as 'HOST' | 'CONTAINER',
      service: form.service || null,
      host: form.host || null,
      port: form.port ? Number(form.port) : null,
      database: form.database,
      dbUser: form.dbUser,
      osUser: form.osUser || null,
      passwordSecret: form.passwordSecret.trim() || null,
      engine: form.engine as 'PG_DUMP' | 'PGBACKREST',
      pgbackrestConfig: form.pgbackrestConfig || null,
      pgbackrestStanza: form.pgbackrestStanza || null,
      fullCron: form.fullCron,
      incrementalCron: form.incrementalCron,
      drillCron: form.drillCron,
      schedulesEnabled: form.schedulesEnabled,
      retentionDays: Number(form.retentionDays),
      keepFulls: Number(form.keepFulls),
      rpoTargetMinutes: Number(form.rpoTargetMinutes),
    })
  const disabled = !canManage || save.isPending
  const now = useNow()
  const next = overview.nextRuns as Partial<Record<'incremental' | 'full' | 'drill' | 'prune', Date>>
  const nextRun = (kind: 'incremental' | 'full' | 'drill') =>
    next[kind] ? (
      <time dateTime={next[kind]!.toISOString()} suppressHydrationWarning>
        Next run {formatDateTime(next[kind]!)}
        {now > 0 && ` (in ${formatSeconds(Math.max(0, (next[kind]!.getTime() - now) / 1000))})`}
      </time>
    ) : c ? (
      'Not scheduled'
    ) : (
      'Save to schedule'
    )

  return (
    <form
      className="grid gap-4"
      data-testid="backup-settings"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <fieldset disabled={disabled} className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Row id="bk-location" label="Database runs" error={errors.location}>
          <select id="bk-location" className={selectClass} value={form.location} onChange={set('location')}>
            <option value="HOST">On the worker&apos;s host</option>
            <option value="CONTAINER">In a stack container</option>
          </select>
        </Row>
        {form.location === 'CONTAINER' ? (
          <Row id="bk-service" label="Database service" error={errors.service} hint="The stack service; commands run by docker exec in its container.">
            <Input id="bk-service" value={form.service} onChange={set('service')} />
          </Row>
        ) : (
          <>
            <Row id="bk-host" label="Host or socket directory" error={errors.host}>
              <Input id="bk-host" value={form.host} onChange={set('host')} />
            </Row>
            <Row id="bk-port" label="Port" error={errors.port}>
              <Input id="bk-port" inputMode="numeric" value={form.port} onChange={set('port')} />
            </Row>
          </>
        )}
        <Row id="bk-database" label="Database" error={errors.database}>
          <Input id="bk-database" value={form.database} onChange={set('database')} placeholder="traider" />
        </Row>
        <Row id="bk-dbuser" label="Database user" error={errors.dbUser}>
          <Input id="bk-dbuser" value={form.dbUser} onChange={set('dbUser')} />
        </Row>
        <Row id="bk-osuser" label="Run commands as (OS user)" error={errors.osUser} hint="Empty: the worker's own user.">
          <Input id="bk-osuser" value={form.osUser} onChange={set('osUser')} placeholder="postgres" />
        </Row>
        <Row
          id="bk-password-secret"
          label="Password secret"
          error={errors.passwordSecret}
          hint="The NAME of a secret in this environment's secret store (set its value on the Secrets page), given to pg_dump, pg_restore, psql and pgBackRest as PGPASSWORD when they run. Empty: no password (trust/peer auth or .pgpass)."
        >
          <Input id="bk-password-secret" value={form.passwordSecret} onChange={set('passwordSecret')} placeholder="db-password" autoComplete="off" spellCheck={false} />
        </Row>
        <Row id="bk-engine" label="Engine" error={errors.engine}>
          <select id="bk-engine" className={selectClass} value={form.engine} onChange={set('engine')}>
            <option value="PG_DUMP">pg_dump (logical, custom format)</option>
            <option value="PGBACKREST">pgBackRest (physical, full + incremental)</option>
          </select>
        </Row>
        {form.engine === 'PGBACKREST' && (
          <>
            <Row id="bk-pgbr-config" label="pgBackRest config file" error={errors.pgbackrestConfig}>
              <Input id="bk-pgbr-config" value={form.pgbackrestConfig} onChange={set('pgbackrestConfig')} placeholder="/etc/pgbackrest/pgbackrest.conf" />
            </Row>
            <Row id="bk-pgbr-stanza" label="Stanza" error={errors.pgbackrestStanza}>
              <Input id="bk-pgbr-stanza" value={form.pgbackrestStanza} onChange={set('pgbackrestStanza')} placeholder="main" />
            </Row>
          </>
        )}
      </fieldset>
      <fieldset disabled={disabled} className="grid grid-cols-1 gap-4 border-t pt-4 sm:grid-cols-2 lg:grid-cols-4">
        <Row id="bk-incr" label={form.engine === 'PGBACKREST' ? 'Incremental (cron, UTC)' : 'Backup (cron, UTC)'} error={errors.incrementalCron} hint={nextRun('incremental')}>
          <Input id="bk-incr" className="font-mono" value={form.incrementalCron} onChange={set('incrementalCron')} />
        </Row>
        {form.engine === 'PGBACKREST' && (
          <Row id="bk-full" label="Full (cron, UTC)" error={errors.fullCron} hint={nextRun('full')}>
            <Input id="bk-full" className="font-mono" value={form.fullCron} onChange={set('fullCron')} />
          </Row>
        )}
        <Row id="bk-drill" label="DR drill (cron, UTC)" error={errors.drillCron} hint={nextRun('drill')}>
          <Input id="bk-drill" className="font-mono" value={form.drillCron} onChange={set('drillCron')} />
        </Row>
        <div className="flex items-center gap-2 self-center">
          <Checkbox id="bk-enabled" checked={form.schedulesEnabled} onCheckedChange={(v) => setForm((f) => ({ ...f, schedulesEnabled: v === true }))} />
          <Label htmlFor="bk-enabled">Schedules on</Label>
        </div>
        <Row id="bk-retention" label="Keep backups (days)" error={errors.retentionDays}>
          <Input id="bk-retention" inputMode="numeric" value={form.retentionDays} onChange={set('retentionDays')} />
        </Row>
        <Row id="bk-keepfulls" label="Keep at least N full backups" error={errors.keepFulls}>
          <Input id="bk-keepfulls" inputMode="numeric" value={form.keepFulls} onChange={set('keepFulls')} />
        </Row>
        <Row id="bk-rpo" label="RPO target (minutes)" error={errors.rpoTargetMinutes} hint="The dashboard badge turns amber past it, red past twice it.">
          <Input id="bk-rpo" inputMode="numeric" value={form.rpoTargetMinutes} onChange={set('rpoTargetMinutes')} />
        </Row>
      </fieldset>
      {canManage ? (
        <div className="flex justify-end">
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Save aria-hidden />}
            Save backup settings
          </Button>
        </div>
      ) : (
        <p className="text-xs text-muted-foreground">Only administrators change backup settings.</p>
      )}
    </form>
  )
}
