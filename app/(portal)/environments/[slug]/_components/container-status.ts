// A container's state and health as one word of the portal's status vocabulary.
import type { Status } from '@/components/status-badge'
import type { ContainerRow } from '../../../deployments/_components/types'

/** A container's state and health as one word of the status vocabulary. */
export function containerStatus(c: Pick<ContainerRow, 'state' | 'health'>): { status: Status; label?: string; note?: string } {
  if (c.state === 'running') {
    if (c.health === 'healthy') return { status: 'healthy' }
    if (c.health === 'starting') return { status: 'starting', note: 'healthcheck not passed yet' }
    if (c.health === 'unhealthy') return { status: 'unhealthy' }
    return { status: 'up', note: 'no healthcheck' }
  }
  if (c.state === 'restarting') return { status: 'restarting' }
  if (c.state === 'exited') return { status: 'exited' }
  if (c.state === 'dead') return { status: 'dead' }
  return { status: 'unknown', label: c.state.charAt(0).toUpperCase() + c.state.slice(1) }
}
