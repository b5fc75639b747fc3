// Orders services so each starts after the services it depends on (depends_on), and finds
// dependency cycles. Ties are broken by name, so the order does not depend on file order.

type Node = { name: string; dependsOn: { service: string }[] }

export type DependencyOrder<T extends Node> = { ok: true; services: T[] } | { ok: false; cycles: string[][] }

/**
 * Kahn's algorithm over depends_on edges. Dependencies on services not in `services` are
 * ignored here (normalise-stack reports them). On failure every cycle found is returned as
 * a closed walk: ["web", "api", "web"].
 */
export function orderByDependencies<T extends Node>(services: readonly T[]): DependencyOrder<T> {
  const byName = new Map(services.map((service) => [service.name, service]))
  const waitingOn = new Map(services.map((service) => [service.name, new Set(service.dependsOn.map((d) => d.service).filter((d) => byName.has(d)))]))
  const ordered: T[] = []
  let ready = [...waitingOn].filter(([, deps]) => deps.size === 0).map(([name]) => name)
  while (ready.length > 0) {
    ready.sort()
    const name = ready.shift() as string
    ordered.push(byName.get(name) as T)
    waitingOn.delete(name)
    for (const [other, deps] of waitingOn) {
      if (deps.delete(name) && deps.size === 0) ready.push(other)
    }
    ready = [...new Set(ready)]
  }
  if (waitingOn.size === 0) return { ok: true, services: ordered }
  return { ok: false, cycles: findCycles([...waitingOn.keys()].sort(), (name) => [...(waitingOn.get(name) ?? [])].sort()) }
}

/** Depth-first search; each back edge closes one cycle. */
function findCycles(names: string[], edges: (name: string) => string[]): string[][] {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const cycles: string[][] = []
  const visit = (name: string) => {
    state.set(name, 'open')
    stack.push(name)
    for (const next of edges(name)) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(name, 'done')
  }
  for (const name of names) if (!state.has(name)) visit(name)
  return cycles
}
