// The /api/v1 endpoints. Each one validates with the same zod schemas as the tRPC routers
// and calls the same service function: no business logic lives here.
import { z } from 'zod'
import { listPendingApprovals } from '@/server/modules/approval/approval.service'
import { pendingApprovalOutput } from '@/server/modules/approval/approval.schema'
import { listAuditEvents } from '@/server/modules/audit/audit.queries'
import { auditFiltersSchema, auditPageOutput, AUDIT_PAGE_MAX, chainReportOutput } from '@/server/modules/audit/audit.schema'
import { runAuditVerification } from '@/server/modules/audit/verify-audit-chain'
import { getDeployment, listDeployments } from '@/server/modules/deployment/deployment.queries'
import {
  cancelOutput,
  DEPLOYMENT_STATUSES,
  deploymentCreatedOutput,
  deploymentDetailOutput,
  deploymentPageOutput,
  listDeploymentsInput,
  planInput,
  planOutput,
  requestDeploymentInput,
  rollbackInput,
} from '@/server/modules/deployment/deployment.schema'
import { cancelDeployment, planDeployment, requestDeployment, requestRollback } from '@/server/modules/deployment/deployment.service'
import { environmentDetailOutput, environmentListItemOutput } from '@/server/modules/environment/environment.schema'
import { environmentIdBySlug, getEnvironmentBySlug, listEnvironments } from '@/server/modules/environment/environment.service'
import { stackOutput } from '@/server/modules/stack/stack.schema'
import { getStack } from '@/server/modules/stack/stack.service'
import { DomainError } from '@/server/errors'
import { backupRoutes } from './backup-routes'
import { defineRoute } from './rest-route'

const slugParams = z.object({ slug: z.string().min(1).max(64).describe('The environment slug, e.g. "prod-eu".') })
const deploymentParams = z.object({ id: z.string().min(1).max(64).describe('The deployment id.') })

/** Query strings are text: numbers are coerced, lists are comma-separated. */
const listDeploymentsQuery = z.object({
  environment: z.string().min(1).max(64).optional().describe('Only this environment (slug).'),
  status: z
    .string()
    .optional()
    .describe(`Comma-separated statuses: ${DEPLOYMENT_STATUSES.join(', ')}.`)
    .transform((s) => (s ? s.split(',').map((x) => x.trim().toUpperCase()) : undefined))
    .pipe(listDeploymentsInput.shape.status),
  order: listDeploymentsInput.shape.order,
  cursor: listDeploymentsInput.shape.cursor.describe('nextCursor from the previous page.'),
  limit: z.preprocess((v) => (v === undefined ? undefined : Number(v)), listDeploymentsInput.shape.limit),
})

const listAuditQuery = auditFiltersSchema.safeExtend({
  cursor: z.string().regex(/^[0-9]+$/, 'The cursor is the nextCursor of the previous page (digits).').optional().describe('nextCursor from the previous page.'),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX, `At most ${AUDIT_PAGE_MAX} events per page.`).default(50),
})

const deployBody = requestDeploymentInput.omit({ environmentId: true })
// Restoring the database with a rollback needs backup:restore, which no token scope grants.
const rollbackBody = rollbackInput.omit({ environmentId: true, restoreDatabase: true })

export const restRoutes = [
  defineRoute({
    method: 'GET', path: '/environments', operationId: 'listEnvironments', tag: 'environments',
    summary: 'List environments with their last deployment and current release',
    permission: 'env:read', response: z.array(environmentListItemOutput),
    handler: (ctx) => listEnvironments(ctx.services),
  }),
  defineRoute({
    method: 'GET', path: '/environments/{slug}', operationId: 'getEnvironment', tag: 'environments',
    summary: 'One environment with its recent engine checks',
    permission: 'env:read', params: slugParams, response: environmentDetailOutput,
    handler: (ctx, { params }) => getEnvironmentBySlug(ctx.services, params.slug),
  }),
  defineRoute({
    method: 'GET', path: '/environments/{slug}/stack', operationId: 'getStack', tag: 'stacks',
    summary: "The environment's current stack (compose file) and its required release variables",
    permission: 'env:read', params: slugParams, response: stackOutput,
    handler: async (ctx, { params }) => {
      const stack = await getStack(ctx.services, await environmentIdBySlug(ctx.services, params.slug))
      if (!stack) throw new DomainError('NOT_FOUND', `Environment "${params.slug}" has no stack yet: paste or upload a compose file on its page first.`)
      return stack
    },
  }),
  defineRoute({
    method: 'POST', path: '/environments/{slug}/plan', operationId: 'planDeployment', tag: 'plans',
    summary: 'Plan a deployment without starting it: pinned images, plan hash and per-service changes',
    permission: 'deploy:request', params: slugParams, body: planInput.omit({ environmentId: true }), response: planOutput,
    handler: async (ctx, { params, body }) => planDeployment(ctx.services, { ...body, environmentId: await environmentIdBySlug(ctx.services, params.slug) }),
  }),
  defineRoute({
    method: 'POST', path: '/environments/{slug}/deployments', operationId: 'requestDeployment', tag: 'deployments',
    summary: 'Request a deployment (queued at once, or waiting for approvals per the policy)',
    description: 'Send an Idempotency-Key header to make retries safe: the same key (per token, for 24 hours) returns the first answer instead of a second deployment.',
    permission: 'deploy:request', params: slugParams, body: deployBody, response: deploymentCreatedOutput, status: 201, idempotent: true,
    handler: async (ctx, { params, body }) => requestDeployment(ctx.services, ctx.actor, { ...body, environmentId: await environmentIdBySlug(ctx.services, params.slug) }),
  }),
  defineRoute({
    method: 'POST', path: '/environments/{slug}/rollback', operationId: 'requestRollback', tag: 'deployments',
    summary: 'Roll back to an earlier successful release; emergency (break-glass) needs a reason and the deploy:emergency scope',
    permission: ({ body }) => (body.emergency ? 'deploy:emergency' : 'deploy:rollback'),
    params: slugParams, body: rollbackBody, response: deploymentCreatedOutput, status: 201,
    handler: async (ctx, { params, body }) => requestRollback(ctx.services, ctx.actor, { ...body, environmentId: await environmentIdBySlug(ctx.services, params.slug) }),
  }),
  defineRoute({
    method: 'GET', path: '/deployments', operationId: 'listDeployments', tag: 'deployments',
    summary: 'Deployments, newest first, with cursor pagination',
    permission: 'deploy:read', query: listDeploymentsQuery, response: deploymentPageOutput,
    handler: async (ctx, { query }) => {
      const { environment, ...rest } = query
      return listDeployments(ctx.services, { ...rest, ...(environment && { environmentId: await environmentIdBySlug(ctx.services, environment) }) })
    },
  }),
  defineRoute({
    method: 'GET', path: '/deployments/{id}', operationId: 'getDeployment', tag: 'deployments',
    summary: 'One deployment with its steps, services and release',
    permission: 'deploy:read', params: deploymentParams, response: deploymentDetailOutput,
    handler: (ctx, { params }) => getDeployment(ctx.services, params.id),
  }),
  defineRoute({
    method: 'POST', path: '/deployments/{id}/cancel', operationId: 'cancelDeployment', tag: 'deployments',
    summary: 'Cancel a deployment: at once if it has not started, else it stops at a safe point and rolls back',
    permission: 'deploy:request', params: deploymentParams, response: cancelOutput,
    handler: (ctx, { params }) => cancelDeployment(ctx.services, ctx.actor, params.id),
  }),
  defineRoute({
    method: 'GET', path: '/approvals', operationId: 'listPendingApprovals', tag: 'approvals',
    summary: 'Deployment requests waiting for approval (approving needs a signed-in person in the portal)',
    permission: 'deploy:read', response: z.array(pendingApprovalOutput),
    handler: (ctx) => listPendingApprovals(ctx.services, ctx.user.id),
  }),
  ...backupRoutes,
  defineRoute({
    method: 'GET', path: '/audit', operationId: 'listAuditEvents', tag: 'audit',
    summary: 'Audit events, newest first, filtered, with cursor pagination',
    permission: 'audit:read', query: listAuditQuery, response: auditPageOutput,
    handler: (ctx, { query }) => {
      const { cursor, limit, ...filters } = query
      return listAuditEvents(ctx.services, { filters, cursor: cursor ? BigInt(cursor) : null, limit })
    },
  }),
  defineRoute({
    method: 'POST', path: '/audit/verify', operationId: 'verifyAuditChain', tag: 'audit',
    summary: "Walk the audit log's hash chain; reports the first broken link",
    permission: 'audit:read', response: chainReportOutput,
    handler: (ctx) => runAuditVerification(ctx.services, ctx.actor),
  }),
]
