// Webhook bodies and signatures, and the event filter, without I/O.
import { describe, expect, it } from 'vitest'
import { filterMatches } from './notify'
import { buildWebhookBody, verifyWebhookSignature, webhookSignature } from './webhook-payload'

const event = { id: 'e1', type: 'backup.failed', severity: 'warning', title: 'Prod: backup failed', body: 'Disk full.', link: '/backups', environmentId: 'env1', data: { size: 3 }, createdAt: new Date('2026-11-26T10:00:00Z') }

describe('webhook signature', () => {
  const key = 'whsec_test'
  const body = buildWebhookBody(event, 'GENERIC', 'https://cp.example.test')

  it('is HMAC-SHA256 over "<t>.<body>" and verifies within the tolerance only', () => {
    const header = webhookSignature(key, body, 1_800_000_000)
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/)
    expect(verifyWebhookSignature(key, header, body, 1_800_000_100)).toBe(true)
    expect(verifyWebhookSignature(key, header, body, 1_800_000_301)).toBe(false)
    expect(verifyWebhookSignature(key, header, `${body} `, 1_800_000_000)).toBe(false)
    expect(verifyWebhookSignature('whsec_other', header, body, 1_800_000_000)).toBe(false)
    expect(verifyWebhookSignature(key, header.replace('t=1800000000', 't=1800000001'), body, 1_800_000_000)).toBe(false)
    expect(verifyWebhookSignature(key, 'garbage', body, 1_800_000_000)).toBe(false)
  })

  it('generic body has the documented fields; the link becomes absolute', () => {
    expect(JSON.parse(body)).toEqual({ id: 'e1', type: 'backup.failed', severity: 'warning', occurredAt: '2026-11-26T10:00:00.000Z', title: 'Prod: backup failed', body: 'Disk full.', url: 'https://cp.example.test/backups', environmentId: 'env1', data: { size: 3 } })
  })

  it('Slack body is {text, blocks} only', () => {
    const slack = JSON.parse(buildWebhookBody({ ...event, link: null }, 'SLACK', 'https://cp.example.test'))
    expect(Object.keys(slack).sort()).toEqual(['blocks', 'text'])
    expect(slack.blocks[0].text.text).toBe(':warning: *Prod: backup failed*\nDisk full.')
    expect(slack.blocks[1].elements[0].text).toBe('backup.failed · 2026-11-26T10:00:00.000Z')
  })
})

describe('event filter', () => {
  it.each([
    [[], 'deployment.failed', true],
    [['deployment.failed'], 'deployment.failed', true],
    [['deployment.failed'], 'deployment.succeeded', false],
    [['deployment.*'], 'deployment.break_glass', true],
    [['deployment.*'], 'deploymentx.failed', false],
    [['backup.*', 'audit.chain_broken'], 'audit.chain_broken', true],
    [['*'], 'anything.at_all', true],
  ] as const)('%j takes %s: %s', (filter, type, expected) => {
    expect(filterMatches(filter, type)).toBe(expected)
  })
})
