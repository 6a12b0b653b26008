/**
 * The gateway fleet page (/supervisor/gateways, issue 10) in headless Chromium against the REAL
 * hub (buildHub: SQLite, embedded broker, the production web build), seeded with the demo data:
 *   - an administrator lists the claimed gateways, decommissions one from the keyboard through the
 *     confirmation dialog (its reason lands in the audit log), sees it move to "Decommissioned",
 *     re-arms it and sees the new claim code once — a code an installer can then really claim;
 *   - a re-arm the page still offers although someone else re-armed the gateway meanwhile is
 *     refused by the hub (409 GATEWAY_NOT_DECOMMISSIONED), and the page says so in words;
 *   - a supervisor sees the fleet but gets no actions, and the hub refuses them the route too.
 */
import { join } from 'node:path';
import type {
  AuditListResponse,
  ClaimGatewayResponse,
  CreateGatewayResponse,
  GatewayResponse,
  RearmGatewayResponse,
} from '@anxin/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshots, startRealHubSession, type RealHubSession } from './testing/realHubSession';
import { poll } from './testing/poll';

/** Claimed into the demo homes before the page opens; each test takes its own. */
const GATEWAYS = ['gw-fleet-1', 'gw-fleet-2', 'gw-fleet-3'] as const;
const HOMES = ['home-0001', 'home-0002', 'home-0003'] as const;

let session: RealHubSession;

const gatewayRow = (page: Page, id: string) =>
  page.locator(`[data-testid="fleet-gateway"][data-gateway-id="${id}"]`);

/** Picks a claim state in the segmented control and waits for the list of that state. */
async function showState(page: Page, label: string): Promise<void> {
  await page.getByTestId('fleet-state').getByText(label, { exact: true }).click();
  await page.locator('[data-testid="fleet-table"], [data-testid="fleet-none"]').first().waitFor();
}

async function openFleet(role: 'admin' | 'supervisor'): Promise<Page> {
  const page = await session.signIn(role);
  // An administrator lands on the alarm console, a supervisor on supervision; both follow links.
  if (role === 'admin') {
    await page.getByTestId('nav-supervisor').click();
  }
  await poll(() => page.evaluate(() => location.pathname)).toBe('/supervisor');
  await page.getByRole('link', { name: 'Gateway fleet' }).click();
  await poll(() => page.evaluate(() => location.pathname)).toBe('/supervisor/gateways');
  await page.getByTestId('fleet-table').waitFor();
  return page;
}

describe('the gateway fleet page against the real hub', () => {
  beforeAll(async () => {
    session = await startRealHubSession('anxin-web-fleet-');
    for (const [i, id] of GATEWAYS.entries()) {
      const created = await session.api<CreateGatewayResponse>('admin', 'POST', '/gateways', {
        id,
      });
      await session.api('installer', 'POST', '/gateways/claim', {
        gatewayId: id,
        claimCode: created.claimCode,
        homeId: HOMES[i],
      });
    }
  }, 180_000);

  afterAll(async () => {
    await session?.close();
  });

  it('an administrator decommissions and re-arms a gateway from the keyboard', async () => {
    const page = await openFleet('admin');
    const id = GATEWAYS[0];
    for (const g of GATEWAYS) await gatewayRow(page, g).waitFor();
    expect(await gatewayRow(page, id).locator('td').nth(1).textContent()).toBe(HOMES[0]);

    // Decommission: the row's button, the dialog's reason field, Enter — no mouse.
    await gatewayRow(page, id)
      .getByRole('button', { name: `Decommission ${id}` })
      .focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`Decommission ${id}?`);
    expect(await dialog.textContent()).toContain('credentials are revoked');
    // Focus moved into the dialog, on the reason field.
    await poll(() =>
      page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null),
    ).toBe('fleet-reason');
    await page.keyboard.type('box replaced after water damage');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    // Gone from the claimed list, listed as decommissioned with the time it happened.
    await poll(() => gatewayRow(page, id).count()).toBe(0);
    expect(await gatewayRow(page, GATEWAYS[1]).count()).toBe(1);
    await showState(page, 'Decommissioned');
    await gatewayRow(page, id).waitFor();
    expect(await gatewayRow(page, id).locator('td').nth(2).textContent()).not.toBe('—');
    const audit = await session.api<AuditListResponse>(
      'admin',
      'GET',
      `/audit?action=gateway.decommission&targetId=${id}`,
    );
    expect(audit.entries[0]?.detail).toMatchObject({ reason: 'box replaced after water damage' });
    const revoked = await session.api<GatewayResponse>('admin', 'GET', `/gateways/${id}`);
    expect(revoked.gateway).toMatchObject({ claimState: 'decommissioned', homeId: HOMES[0] });

    // Re-arm, from the keyboard too: the new code is shown once, in the dialog.
    await gatewayRow(page, id)
      .getByRole('button', { name: `Re-arm ${id}` })
      .focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`Re-arm ${id}?`);
    await poll(() =>
      page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null),
    ).toBe('fleet-reason');
    await page.keyboard.press('Enter');
    const code = page.getByTestId('rearm-code');
    await code.waitFor();
    const claimCode = ((await code.textContent()) ?? '').trim();
    expect(claimCode.length).toBeGreaterThanOrEqual(8);
    expect(await dialog.textContent()).toContain(`${id} is re-armed`);
    expect(await dialog.textContent()).toContain('Shown only now');
    await page.screenshot({ path: join(screenshots, 'fleet-rearmed.png') });
    // Done has the focus: Enter closes the dialog, and the code is nowhere on the page any more.
    await poll(() =>
      page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null),
    ).toBe('rearm-done');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('body').textContent()).not.toContain(claimCode);
    await poll(() => gatewayRow(page, id).count()).toBe(0);
    await showState(page, 'Unclaimed');
    await gatewayRow(page, id).waitFor();
    expect(await gatewayRow(page, id).locator('td').nth(1).textContent()).toBe('—');

    // The code shown is the gateway's real new code: an installer claims it with it.
    const claimed = await session.api<ClaimGatewayResponse>(
      'installer',
      'POST',
      '/gateways/claim',
      {
        gatewayId: id,
        claimCode,
        homeId: HOMES[0],
      },
    );
    expect(claimed.gateway.claimState).toBe('claimed');
    expect(await page.getByTestId('page-error').count()).toBe(0);
  }, 120_000);

  it('says in words why a re-arm someone else did first is refused (409)', async () => {
    const id = GATEWAYS[1];
    await session.api('admin', 'POST', `/gateways/${id}/decommission`, {});
    const page = await openFleet('admin');
    await showState(page, 'Decommissioned');
    await gatewayRow(page, id).waitFor();
    // Another administrator re-arms it while this page still lists it as decommissioned.
    await session.api<RearmGatewayResponse>('admin', 'POST', `/gateways/${id}/rearm`, {});
    await gatewayRow(page, id)
      .getByRole('button', { name: `Re-arm ${id}` })
      .click();
    await page.getByTestId('fleet-confirm').click();
    const error = page.getByTestId('fleet-error');
    await error.waitFor();
    expect(await error.textContent()).toBe(
      'This gateway is in service: decommission it before re-arming it.',
    );
    expect(await page.getByTestId('rearm-code').count()).toBe(0);
    // Escape closes the dialog; the list is read again and no longer offers the stale action.
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await poll(() => gatewayRow(page, id).count()).toBe(0);

    // The same in Chinese.
    await session.api('admin', 'POST', `/gateways/${GATEWAYS[2]}/decommission`, {});
    await page.evaluate(() => localStorage.setItem('anxin.language', 'zh-CN'));
    await page.reload();
    await page.getByTestId('fleet-state').waitFor();
    await showState(page, '已停用');
    await gatewayRow(page, GATEWAYS[2]).waitFor();
    await session.api('admin', 'POST', `/gateways/${GATEWAYS[2]}/rearm`, {});
    await gatewayRow(page, GATEWAYS[2]).getByTestId('fleet-rearm').click();
    await page.getByTestId('fleet-confirm').click();
    await page.getByTestId('fleet-error').waitFor();
    expect(await page.getByTestId('fleet-error').textContent()).toBe(
      '此网关仍在使用中：请先停用，再重新启用。',
    );
  }, 120_000);

  it('a supervisor sees the fleet but gets no actions', async () => {
    const page = await openFleet('supervisor');
    await gatewayRow(page, GATEWAYS[0]).waitFor();
    expect(await page.getByRole('columnheader', { name: 'Actions' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Decommission|Re-arm/ }).count()).toBe(0);
    await showState(page, 'Unclaimed');
    expect(await page.getByTestId('fleet-rearm').count()).toBe(0);
    expect(await page.getByTestId('fleet-decommission').count()).toBe(0);
    // Nor does the hub let them.
    await expect(
      session.api('supervisor', 'POST', `/gateways/${GATEWAYS[0]}/decommission`, {}),
    ).rejects.toThrow(/403/);
  }, 60_000);
});
