// Steps the e2e specs that deploy take through the portal again and again: screenshots without
// stale toasts, an environment created from the Environments page, a stack saved as version 1,
// and a release reviewed and deployed through the Deploy dialog.
import { expect, type Locator, type Page } from '@playwright/test'
import { screenshotBoth } from './helpers'

/**
 * Screenshots at both widths without the toasts of earlier actions over the content. Behind an
 * open dialog a click would land on its overlay: there the toasts are left to expire (waited
 * for unless `toastsBehindDialog: 'leave'`).
 */
export async function shoot(page: Page, name: string, { toastsBehindDialog = 'wait' }: { toastsBehindDialog?: 'wait' | 'leave' } = {}) {
  const toasts = page.locator('[data-sonner-toast]')
  const modalOpen = (await page.locator('[role="dialog"]:visible, [role="alertdialog"]:visible').count()) > 0
  for (let i = 0; !modalOpen && i < 5 && (await toasts.count()) > 0; i++) {
    await page.locator('[data-sonner-toast] [data-close-button]').first().click({ timeout: 2_000 }).catch(() => {})
  }
  if (!modalOpen || toastsBehindDialog === 'wait') await expect(toasts).toHaveCount(0)
  await screenshotBoth(page, name)
}

/** Environments → New environment → name (and the Production tier) → Create; lands on `path`, its page. */
export async function createEnvironment(page: Page, name: string, path: string, { production = false } = {}) {
  await page.goto('/environments')
  await page.getByRole('button', { name: 'New environment' }).first().click()
  const create = page.getByRole('dialog')
  await create.getByLabel('Name').fill(name)
  if (production) {
    await create.getByRole('combobox', { name: 'Tier' }).click()
    await page.getByRole('option', { name: 'Production' }).click()
  }
  await create.getByRole('button', { name: 'Create environment' }).click()
  await expect(page).toHaveURL(new RegExp(`${path}$`))
}

/** On an environment's page without a stack: "Paste a compose file", the YAML, valid, saved as version 1. */
export async function saveFirstStack(page: Page, composeYaml: string) {
  await page.getByRole('button', { name: 'Paste a compose file' }).click()
  const editor = page.getByRole('dialog')
  await editor.getByRole('textbox', { name: 'Compose file' }).fill(composeYaml)
  await expect(editor.getByText('Valid:')).toBeVisible({ timeout: 10_000 })
  await editor.getByRole('button', { name: 'Save version 1' }).click()
  await expect(page.getByText('Stack version 1 saved')).toBeVisible()
}

/** Opens the environment page's Deploy dialog; returns it. */
export async function openDeployDialog(page: Page, envPath: string): Promise<Locator> {
  await page.goto(envPath)
  await page.getByRole('button', { name: 'Deploy', exact: true }).click()
  return page.getByRole('dialog')
}

/** In the Deploy dialog: WEB_TAG and the bake window set, then the plan reviewed. */
export async function reviewPlan(dialog: Locator, tag: string, bakeSeconds: number) {
  await dialog.getByLabel('WEB_TAG').fill(tag)
  await dialog.getByLabel('Bake window (seconds)').fill(String(bakeSeconds))
  await dialog.getByRole('button', { name: 'Review plan' }).click()
  await expect(dialog.getByTestId('plan-hash')).toBeVisible({ timeout: 30_000 })
}

/** Deploys WEB_TAG=tag to an environment without approvals (bake 1 s) and waits on its page until it succeeded. */
export async function deployRelease(page: Page, env: { name: string; path: string }, tag: string, { timeout = 90_000 } = {}) {
  const dialog = await openDeployDialog(page, env.path)
  await reviewPlan(dialog, tag, 1)
  await dialog.getByRole('button', { name: new RegExp(`Deploy release to ${env.name}`) }).click()
  await expect(page).toHaveURL(/\/deployments\/[^/]+$/)
  await expect(page.getByTestId('outcome')).toContainText('Succeeded', { timeout })
}
