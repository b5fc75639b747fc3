// Remote engines over tcp + TLS client certificates, end to end: a TLS terminator on
// 127.0.0.1 (certificates made here with openssl, client certificate required) in front of
// the local engine's socket. The product's code path is the one it uses for a remote host.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { closeRedis } from '@/server/infra/redis'
import { dockerRuntime } from './docker'
import { deploy, projectContainers, removeProject, serving, TEST_ACTOR, webStack } from '@/test/deploy-harness'
import { ensureFixtureImages, freePort } from '@/test/docker-fixtures'
import { unique } from '@/test/factories'
import { saveStackVersion } from '@/server/modules/stack/stack.service'
import { projectName } from '@/server/modules/deployment/release-plan'

let dir: string
let server: tls.Server
let port: number
const sockets = new Set<net.Socket>()
const projects: string[] = []

function openssl(...args: string[]) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, in `dir`. */
function makeCertificates() {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=traider-test-ca')
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1')
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server-cert.pem', '-days', '1', '-extfile', 'server.ext')
  writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n')
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client/key.pem', '-out', 'client.csr', '-subj', '/CN=traider-worker')
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'client/cert.pem', '-days', '1', '-extfile', 'client.ext')
  writeFileSync(path.join(dir, 'client', 'ca.pem'), readFileSync(path.join(dir, 'ca.pem')))
  // A client certificate from a CA the server does not trust.
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'stranger/key.pem', '-out', 'stranger/cert.pem', '-days', '1', '-subj', '/CN=stranger')
  writeFileSync(path.join(dir, 'stranger', 'ca.pem'), readFileSync(path.join(dir, 'ca.pem')))
}

beforeAll(async () => {
  await ensureFixtureImages()
  dir = mkdtempSync(path.join(os.tmpdir(), 'traider-tls-'))
  for (const sub of ['client', 'stranger']) execFileSync('mkdir', ['-p', path.join(dir, sub)])
  makeCertificates()
  port = await freePort()
  server = tls.createServer(
    {
      key: readFileSync(path.join(dir, 'server-key.pem')),
      cert: readFileSync(path.join(dir, 'server-cert.pem')),
      ca: readFileSync(path.join(dir, 'ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (client) => {
      const engine = net.connect('/var/run/docker.sock')
      for (const s of [client, engine]) {
        sockets.add(s)
        s.on('close', () => sockets.delete(s))
        s.on('error', () => {
          client.destroy()
          engine.destroy()
        })
      }
      client.pipe(engine).pipe(client)
    },
  )
  server.on('tlsClientError', () => {}) // a refused client is the point of one test
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
}, 120_000)

afterAll(async () => {
  for (const p of projects) await removeProject(p)
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(dir, { recursive: true, force: true })
  await closeRedis()
  await disconnectDb()
})

describe('tcp + TLS endpoint', () => {
  it('reads the same engine facts as the local socket', async () => {
    const remote = await dockerRuntime.hostFacts({ url: `tcp://127.0.0.1:${port}`, tlsPath: path.join(dir, 'client') })
    const local = await dockerRuntime.hostFacts({ url: 'unix:///var/run/docker.sock' })
    expect(remote).toMatchObject({ dockerVersion: local.dockerVersion, cpus: local.cpus, memoryBytes: local.memoryBytes })
  })

  it('a client certificate the engine does not trust is refused with words, not a stack trace', async () => {
    const error = await dockerRuntime.hostFacts({ url: `tcp://127.0.0.1:${port}`, tlsPath: path.join(dir, 'stranger') }).catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/^Cannot reach the Docker engine at tcp:\/\/127\.0\.0\.1:\d+: .*refused the client certificate .*stranger\/cert\.pem/)
  })

  it('deploys a stack through the TLS endpoint like through the socket', async () => {
    const slug = unique('tls')
    const webPort = await freePort()
    const environment = await db().environment.create({
      data: { name: slug, slug, tier: 'DEVELOPMENT', dockerEndpoint: `tcp://127.0.0.1:${port}`, dockerTlsPath: path.join(dir, 'client') },
    })
    projects.push(projectName(slug))
    await saveStackVersion({ db: db() }, TEST_ACTOR, { environmentId: environment.id, composeYaml: webStack(webPort), source: 'pasted' })
    const result = await deploy(environment.id, { WEB_TAG: 'v1' })
    expect(result.status).toBe('SUCCEEDED')
    expect(await serving(`http://127.0.0.1:${webPort}/`)).toBe('traider fixture v1')
    expect(await projectContainers(projectName(slug))).toHaveLength(1)
  })
})
