// Unit tests for ordering services by depends_on, and for cycles and unknown dependencies.
import { describe, expect, it } from 'vitest'
import { orderByDependencies } from './dependency-order'
import { loadStack } from './load-stack'

const graph = (edges: Record<string, string[]>) =>
  Object.entries(edges).map(([name, deps]) => ({ name, dependsOn: deps.map((service) => ({ service })) }))

describe('orderByDependencies', () => {
  it.each([
    ['no dependencies: by name', { web: [], api: [], db: [] }, ['api', 'db', 'web']],
    ['a chain', { web: ['api'], api: ['db'], db: [] }, ['db', 'api', 'web']],
    ['a diamond', { app: ['left', 'right'], left: ['base'], right: ['base'], base: [] }, ['base', 'left', 'right', 'app']],
    ['name breaks ties among ready services', { z: [], a: ['z'], m: [] }, ['m', 'z', 'a']],
    ['unknown dependencies are ignored here', { web: ['ghost'] }, ['web']],
  ])('%s', (_name, edges, expected) => {
    const result = orderByDependencies(graph(edges))
    expect(result.ok && result.services.map((s) => s.name)).toEqual(expected)
  })

  it('does not depend on the order services are listed in', () => {
    const edges = { web: ['api'], worker: ['db', 'redis'], api: ['db', 'redis'], redis: [], db: [] }
    const forward = orderByDependencies(graph(edges))
    const backward = orderByDependencies(graph(edges).reverse())
    expect(forward.ok && forward.services.map((s) => s.name)).toEqual(['db', 'redis', 'api', 'web', 'worker'])
    expect(backward.ok && backward.services.map((s) => s.name)).toEqual(['db', 'redis', 'api', 'web', 'worker'])
  })

  it.each([
    ['self', { web: ['web'] }, [['web', 'web']]],
    ['two services', { web: ['api'], api: ['web'] }, [['api', 'web', 'api']]],
    ['three services', { a: ['b'], b: ['c'], c: ['a'], d: [] }, [['a', 'b', 'c', 'a']]],
    ['a dependant of a cycle is not itself in it', { web: ['api'], api: ['db'], db: ['api'] }, [['api', 'db', 'api']]],
    ['two separate cycles', { a: ['b'], b: ['a'], x: ['y'], y: ['x'] }, [['a', 'b', 'a'], ['x', 'y', 'x']]],
  ])('finds a cycle: %s', (_name, edges, cycles) => {
    expect(orderByDependencies(graph(edges))).toEqual({ ok: false, cycles })
  })
})

const service = (name: string, dependsOn: string) => `  ${name}:\n    image: ${name}:1\n    depends_on: ${dependsOn}\n`

describe('loadStack depends_on checks', () => {
  it('names the cycle', () => {
    const yaml = `services:\n${service('web', '[api]')}${service('api', '{web: {condition: service_started}}')}`
    const result = loadStack(yaml, {})
    expect(result).toEqual({
      ok: false,
      errors: [
        expect.objectContaining({
          path: 'services.api.depends_on',
          service: 'api',
          message: 'services depend on each other in a cycle: api → web → api: remove one of these depends_on entries',
        }),
      ],
    })
  })

  it('refuses a dependency on a service that does not exist', () => {
    const result = loadStack(`services:\n${service('web', '[apii]')}`, {})
    expect(result.ok === false && result.errors.map((e) => e.message)).toEqual([
      'service "web" depends on "apii", which is not a service in this file: fix the name or add the service',
    ])
  })

  it('refuses waiting for a service to be healthy when it has no healthcheck', () => {
    const yaml = `services:\n${service('web', '{db: {condition: service_healthy}}')}  db:\n    image: postgres:16\n`
    const result = loadStack(yaml, {})
    expect(result.ok === false && result.errors[0]).toMatchObject({
      path: 'services.web.depends_on.db',
      message: 'service "web" waits for "db" to be healthy, but "db" has no healthcheck: add one to "db" or use condition: service_started',
    })
  })

  it('refuses an unknown condition (schema)', () => {
    const result = loadStack(`services:\n${service('web', '{db: {condition: service_ready}}')}  db:\n    image: postgres:16\n`, {})
    expect(result.ok === false && result.errors.map((e) => e.message)).toEqual([
      'services.web.depends_on.db.condition must be one of "service_started", "service_healthy", "service_completed_successfully" (got "service_ready")',
    ])
  })
})
