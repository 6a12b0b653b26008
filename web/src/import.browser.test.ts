/**
 * The bulk import page in a real Chromium against the REAL hub (buildHub in-process, demo data,
 * the production web build): a supervisor uploads a homes file with a bad row and reads that
 * row's error (nothing written, import disabled), uploads the fixed file, imports it and sees the
 * counts; then a welfare-plans file, whose plan the hub's REST API then lists.
 */
import { join } from 'node:path';
import type { HomeResponse, WelfarePlanListResponse } from '@anxin/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshots, startRealHubSession, type RealHubSession } from './testing/realHubSession';
import { poll } from './testing/poll';

let real: RealHubSession;

const homeExists = (id: string) =>
  real.api<HomeResponse>('admin', 'GET', `/homes/${id}`).then(
    () => true,
    () => false,
  );

async function upload(page: Page, name: string, text: string) {
  await page.locator('input[type="file"]').setInputFiles({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(text, 'utf8'),
  });
}

describe('bulk import in the browser, real hub', () => {
  beforeAll(async () => {
    real = await startRealHubSession('anxin-web-import-');
  }, 180_000);

  afterAll(async () => {
    await real?.close();
  });

  it(
    'a bad row is listed and nothing is written; the fixed file imports with its counts',
    { timeout: 90_000 },
    async () => {
      const page = await real.signIn('supervisor');
      await page.getByTestId('nav-import').click();
      await page.getByTestId('import-kind').waitFor();

      const good = ['home_code,area_id,address,floor', 'WB-0001,community-west-1,长乐街 21 号,3'];
      await upload(page, 'homes.csv', [...good, 'WB-0002,community-west-1,,'].join('\n'));
      await page.getByTestId('import-check').click();
      const row = page.getByTestId('import-error-row');
      await row.first().waitFor();
      expect(await row.count()).toBe(1);
      expect(await row.first().innerText()).toMatch(/3\s+address\s+REQUIRED/);
      await poll(() => page.getByTestId('import-summary').innerText()).toContain(
        '2 rows: 1 new, 0 updates, 1 errors',
      );
      expect(await page.getByTestId('import-confirm').isDisabled()).toBe(true);
      await page.screenshot({ path: join(screenshots, 'import-row-error.png'), fullPage: true });
      expect(await homeExists('WB-0001')).toBe(false);

      await upload(
        page,
        'homes-fixed.csv',
        [...good, 'WB-0002,community-west-1,长乐街 22 号,'].join('\n'),
      );
      // A new file clears the old report.
      await poll(() => page.getByTestId('import-report').count()).toBe(0);
      await page.getByTestId('import-check').click();
      await poll(() => page.getByTestId('import-summary').innerText()).toContain(
        '2 rows: 2 new, 0 updates, 0 errors',
      );
      expect(await page.getByTestId('import-error-row').count()).toBe(0);
      await page.getByTestId('import-confirm').click();
      await poll(() => page.getByTestId('import-summary').innerText()).toContain(
        'Written: 2 new, 0 updated.',
      );
      expect(await homeExists('WB-0001')).toBe(true);
      expect(await homeExists('WB-0002')).toBe(true);
      await page.screenshot({ path: join(screenshots, 'import-done.png'), fullPage: true });
    },
  );

  it('welfare plans: chosen as the kind, checked, imported, listed by the hub', async () => {
    const page = await real.signIn('supervisor');
    await page.getByTestId('nav-import').click();
    await page.getByTestId('import-kind').getByText('Welfare plans').click();
    await upload(
      page,
      'plans.csv',
      [
        'resident_code,kind,cadence,count,start_day,assignee,active,notes',
        'home-0002-r1,visit,per_month,2,,worker,,Lives alone',
      ].join('\n'),
    );
    await page.getByTestId('import-check').click();
    await poll(() => page.getByTestId('import-summary').innerText()).toContain(
      '1 rows: 1 new, 0 updates, 0 errors',
    );
    await page.getByTestId('import-confirm').click();
    await poll(() => page.getByTestId('import-summary').innerText()).toContain('Written: 1 new');
    const { plans } = await real.api<WelfarePlanListResponse>(
      'admin',
      'GET',
      '/welfare-plans?residentId=home-0002-r1',
    );
    expect(plans.map((p) => [p.kind, p.cadence, p.count, p.notes])).toContainEqual([
      'visit',
      'per_month',
      2,
      'Lives alone',
    ]);
  }, 90_000);
});
