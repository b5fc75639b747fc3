// Stack templates in the portal: a new environment's stack loaded from "TRAIDER full stack
// (production)", checked as valid with all 13 services, and saved with its release variables.
import { expect, test } from '@playwright/test'
import { env, screenshotBoth, signIn } from './helpers'

const PASSWORD = 'e2e-chosen-passphrase-42'

test('an environment gets the TRAIDER production stack from its template', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)
  await page.goto('/environments')
  await page.getByRole('button', { name: 'New environment' }).first().click()
  const create = page.getByRole('dialog')
  await create.getByLabel('Name').fill('Template target')
  await create.getByRole('button', { name: 'Create environment' }).click()
  await expect(page).toHaveURL(/\/environments\/template-target$/)

  await page.getByRole('button', { name: /Paste a compose file|Edit stack/ }).first().click()
  const editor = page.getByRole('dialog')
  await editor.getByLabel('Start from a template').click()
  await page.getByRole('option', { name: 'TRAIDER full stack (production)' }).click()
  await editor.getByRole('button', { name: 'Load', exact: true }).click()
  await expect(editor.getByText(/Valid:/)).toBeVisible({ timeout: 15_000 })
  await expect(editor.getByText('13 services', { exact: false })).toBeVisible()
  await expect(editor.getByText(/release variables: .*BACKEND_TAG.*FRONTEND_TAG/)).toBeVisible()
  await screenshotBoth(page, 'stack-template-loaded')
  await editor.getByRole('button', { name: /Save version 1/ }).click()
  await expect(page.getByText('Stack version 1 saved')).toBeVisible()
  await expect(page.getByText(/Version 1 · from template traider-production/)).toBeVisible()
  await screenshotBoth(page, 'environment-traider-stack')
})
