/**
 * Browser smoke test of the console: the production build (vite build) served by a fake hub with a
 * real Socket.IO server, driven in Debian's headless Chromium through playwright-core. Covers the
 * operator's main path: login (wrong password first), a new alarm appearing live with the ring,
 * take and resolve by keyboard and by mouse, another operator's conflict, losing the hub (banner)
 * and catching up on reconnect (nothing missed, nothing twice), and the Chinese UI. Screenshots go
 * to test-results/ (gitignored).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webBuild } from './testing/webBuild';
import { launchChromium } from './testing/chromium';
import { FAKE_USER, startFakeHub, type FakeHub } from './testing/fakeHub';
import { poll } from './testing/poll';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(webDir, '..');
const screenshots = join(repoRoot, 'test-results', 'web');

let outDir = '';
let hub: FakeHub;
let browser: Browser;
let page: Page;

const rows = () => page.getByTestId('alarm-row');
const row = (id: string) => page.locator(`[data-testid="alarm-row"][data-alarm-id="${id}"]`);

describe('operator console in a real browser', () => {
  beforeAll(async () => {
    // One shared production build for every browser test file (testing/webBuild.ts).
    outDir = await webBuild();
    await mkdir(screenshots, { recursive: true });
    hub = await startFakeHub(outDir);
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'en-US',
      reducedMotion: 'reduce', // no dialog fades: screenshots show the settled page
    });
    // Count the tones the console really starts (OscillatorNode.start), to test the ring itself.
    await context.addInitScript(() => {
      const counter = window as unknown as { __tones: number };
      counter.__tones = 0;
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this) below
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (this: OscillatorNode, when?: number) {
        counter.__tones += 1;
        start.call(this, when);
      };
    });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('shows the login page, explains a wrong password, then signs in', async () => {
    await page.goto(hub.url);
    await page.getByTestId('login-username').fill(FAKE_USER.username);
    await page.getByTestId('login-password').fill('wrong');
    await page.getByTestId('login-submit').click();
    await poll(() => page.getByTestId('login-error').textContent()).toBe(
      'Wrong username or password.',
    );
    await page.screenshot({ path: join(screenshots, 'login-error.png') });

    await page.getByTestId('login-password').fill(FAKE_USER.password);
    await page.getByTestId('login-submit').click();
    await page
      .getByTestId('connection-status')
      .and(page.locator('[data-state="connected"]'))
      .waitFor();
    await page.getByTestId('queue-empty').waitFor();
    expect(await page.getByTestId('current-user').textContent()).toContain(FAKE_USER.displayName);
  });

  it('asks for a click to enable sound when the page had no user gesture (autoplay policy)', async () => {
    // A fresh browser context with the session cookie: the console opens directly, with no click
    // on this page yet, so the browser keeps the AudioContext suspended.
    const fresh = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      storageState: await page.context().storageState(),
    });
    try {
      const second = await fresh.newPage();
      await second.goto(hub.url);
      await second
        .getByTestId('connection-status')
        .and(second.locator('[data-state="connected"]'))
        .waitFor();
      await second.getByTestId('sound-enable').waitFor();
      expect(await second.getByTestId('sound-status').getAttribute('data-sound-state')).toBe(
        'blocked',
      );
      await second.getByTestId('sound-enable').click();
      await second.getByTestId('sound-enable').waitFor({ state: 'detached' });
      expect(await second.getByTestId('sound-status').getAttribute('data-sound-state')).toBe(
        'ready',
      );
    } finally {
      await fresh.close();
    }
    // The page that signed in had a click (the login button), so its sound was never blocked.
    expect(await page.getByTestId('sound-status').getAttribute('data-sound-state')).toBe('ready');
  });

  it('shows a new alarm without reload, in queue order, and rings until it is taken', async () => {
    const old = new Date(Date.now() - 200_000).toISOString();
    const late = new Date(Date.now() - 90_000).toISOString();
    const leak = hub.raise('water_leak', {
      receivedAt: late,
      raisedAt: late,
      homeId: 'home-0002',
      deviceId: 'leak-kitchen',
    });
    await row(leak.id).waitFor();
    expect(await page.getByTestId('sound-status').getAttribute('data-ringing')).toBe('normal');
    expect(await row(leak.id).getByTestId('alarm-age').getAttribute('data-age-level')).toBe('late');

    const battery = hub.raise('low_battery', {
      receivedAt: old,
      raisedAt: old,
      deviceId: 'door-1',
      triggerCount: 3,
    });
    const testFall = hub.raise('fall', { test: true, homeId: 'home-0003' });
    // Raised while its gateway was in its own test mode: marked, but dispatched like any other.
    const fall = hub.raise('fall', {
      homeId: 'home-0001',
      deviceId: 'radar-bathroom',
      residentId: 'r-1',
      gatewayTest: true,
    });
    await row(fall.id).waitFor();
    await row(testFall.id).waitFor();
    await row(battery.id).waitFor();

    // Life-safety first (oldest first within it), then wellbeing, then technical.
    const order = await rows().evaluateAll((els) =>
      els.map((el) => el.getAttribute('data-alarm-id')),
    );
    expect(order).toEqual([testFall.id, fall.id, leak.id, battery.id]);
    expect(await page.getByTestId('sound-status').getAttribute('data-ringing')).toBe('urgent');
    expect(await row(testFall.id).getByTestId('test-badge').count()).toBe(1);
    // The gateway's test mark is its own badge, on that row only, and not the home's TEST.
    const gatewayTest = row(fall.id).getByTestId('gateway-test-badge');
    expect(await gatewayTest.textContent()).toBe('Gateway test');
    expect(await gatewayTest.getAttribute('title')).toContain('still dispatched');
    expect(await row(fall.id).getByTestId('test-badge').count()).toBe(0);
    expect(await page.getByTestId('gateway-test-badge').count()).toBe(1);
    // A screen reader hears the marks too: they are in each row's label.
    expect(await row(testFall.id).getAttribute('aria-label')).toBe('Fall, Waiting, TEST');
    expect(await row(fall.id).getAttribute('aria-label')).toBe('Fall, Waiting, Gateway test');
    // The age colour depends on the waiting time only (technical alarms too): 200 s is past 180 s.
    expect(await row(battery.id).getByTestId('alarm-age').getAttribute('data-age-level')).toBe(
      'overdue',
    );
    const firstAge = await row(fall.id).getByTestId('alarm-age').textContent();
    expect(firstAge).toMatch(/^00:0[0-9]$/);
    // Counts up live, without any push from the hub.
    await poll(() => row(fall.id).getByTestId('alarm-age').textContent()).not.toBe(firstAge);
    expect(await page.title()).toBe('(4) Anxin alarm console');
    await page.screenshot({ path: join(screenshots, 'console-queue.png') });
  });

  it('takes with `a` and resolves with `r`, `2`, Ctrl+Enter', async () => {
    const fall = [...hub.alarms.values()].find((a) => a.kind === 'fall' && !a.test);
    if (!fall) throw new Error('no fall alarm');
    await page.locator('body').click({ position: { x: 5, y: 890 } }); // nothing focused in a field
    await page.keyboard.press('j'); // selects the first row (test fall)
    await page.keyboard.press('j'); // the real fall
    expect(await row(fall.id).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('a');
    await poll(() => row(fall.id).getAttribute('data-status')).toBe('acknowledged');
    await page.getByTestId('alarm-detail').waitFor();
    await page.getByTestId('alarm-timeline').waitFor();
    // The detail says in words that its gateway was in test mode, and that it is still dispatched.
    const note = page.getByTestId('alarm-detail').getByTestId('gateway-test-note');
    expect(await note.getByTestId('gateway-test-badge').textContent()).toBe('Gateway test');
    expect(await note.textContent()).toContain("probably an installer's test");
    // The resident's card: who raised it in a shared home, how to get in, whom to call, what to do.
    const card = page.getByTestId('resident-card');
    await card.waitFor();
    const raised = card.locator('[data-testid="resident"][data-raised="true"]');
    expect(await raised.getByTestId('resident-name').textContent()).toBe('Zhang Guiying');
    expect(await card.getByTestId('resident').count()).toBe(2);
    expect(await raised.getByTestId('medical-notes').textContent()).toContain('penicillin');
    expect(await raised.getByTestId('resident-age').textContent()).toMatch(/^\d+ years$/);
    expect(await card.getByTestId('home-address').textContent()).toBe('18 Hankou Road, Building 3');
    expect(await card.getByTestId('key-safe-code').textContent()).toBe('4711');
    expect(await card.getByTestId('access-notes').textContent()).toContain('Neighbour in 401');
    const phones = card.getByTestId('contact-phone');
    expect(await phones.evaluateAll((els) => els.map((el) => el.getAttribute('href')))).toEqual([
      'tel:+8613800138000',
      'tel:02163210000',
    ]);
    expect(await card.getByTestId('plan-step').count()).toBe(3); // the fall plan, not the default
    expect(
      await card
        .locator('[data-testid="device-row"][data-device-id="sos-bedroom"]')
        .getByTestId('device-battery')
        .getAttribute('data-level'),
    ).toBe('low');
    // 24 h charts from the telemetry route, drawn by the lazily loaded chart chunk.
    await page.locator('[data-testid="chart-power"] canvas').waitFor();
    expect(
      Number(await page.getByTestId('chart-power').getAttribute('data-points')),
    ).toBeGreaterThan(100);
    await page.locator('[data-testid="chart-activity"] canvas').waitFor();
    await page.getByTestId('telemetry-charts').scrollIntoViewIfNeeded();
    await page.getByTestId('telemetry-charts').screenshot({
      path: join(screenshots, 'console-charts.png'),
    });
    await page.screenshot({ path: join(screenshots, 'console-detail.png') });
    await page.getByTestId('alarm-detail').screenshot({
      path: join(screenshots, 'console-resident-card.png'),
    });

    await page.keyboard.press('r');
    await page.getByTestId('resolve-dialog').waitFor();
    await page.keyboard.press('2');
    await page.keyboard.press('3');
    await page.keyboard.press('2');
    expect(await page.getByTestId('outcome-handled_by_phone').isChecked()).toBe(true);
    await page.getByTestId('resolve-notes').fill('Resident answered, is fine.');
    await page.screenshot({ path: join(screenshots, 'console-resolve.png') });
    await page.keyboard.press('Control+Enter');
    await row(fall.id).waitFor({ state: 'detached' });
    expect(hub.alarms.get(fall.id)?.outcome).toBe('handled_by_phone');
    expect(hub.alarms.get(fall.id)?.notes).toBe('Resident answered, is fine.');
  });

  it('takes and resolves with the mouse', async () => {
    const leak = [...hub.alarms.values()].find((a) => a.kind === 'water_leak');
    if (!leak) throw new Error('no leak alarm');
    await row(leak.id).getByTestId('ack-button').click();
    await poll(() => row(leak.id).getAttribute('data-status')).toBe('acknowledged');
    await row(leak.id).getByTestId('resolve-button').click();
    await page.getByTestId('outcome-responder_dispatched').check();
    await page.getByTestId('resolve-submit').click();
    await row(leak.id).waitFor({ state: 'detached' });
  });

  it('says so when another operator took the alarm first (409 CONFLICT)', async () => {
    const battery = [...hub.alarms.values()].find((a) => a.kind === 'low_battery');
    if (!battery) throw new Error('no battery alarm');
    hub.acknowledgeAs(battery.id, 'Wang Wei', false); // the push is "lost": our row still says open
    await row(battery.id).getByTestId('ack-button').click();
    await poll(() => page.getByTestId('action-error').textContent()).toContain(
      'Someone else already changed',
    );
    // The console fetches the alarm at once and shows who has it.
    await poll(() => row(battery.id).getAttribute('data-status')).toBe('acknowledged');
    expect(await row(battery.id).getByTestId('alarm-status').textContent()).toBe(
      'Taken by Wang Wei',
    );
  });

  it('rings for a new alarm, repeats until it is taken, and stays silent while muted', async () => {
    const tones = () => page.evaluate(() => (window as unknown as { __tones: number }).__tones);
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    expect(await page.getByTestId('sound-status').getAttribute('data-ringing')).toBe('none');
    const idle = await tones();
    await wait(2500);
    expect(await tones()).toBe(idle); // nothing waiting (only a test alarm): silence

    const sos = hub.raise('sos', { homeId: 'home-0005' });
    await row(sos.id).waitFor();
    await poll(tones).toBeGreaterThanOrEqual(idle + 4); // one urgent call: 4 tones
    const afterFirst = await tones();
    await poll(tones).toBeGreaterThanOrEqual(afterFirst + 4); // and it repeats

    await page.getByTestId('sound-toggle').click();
    expect(await page.getByTestId('sound-status').getAttribute('data-muted')).toBe('true');
    const muted = await tones();
    await wait(2500);
    expect(await tones()).toBe(muted);
    await page.getByTestId('sound-toggle').click();
    await poll(tones).toBeGreaterThan(muted);

    await row(sos.id).getByTestId('ack-button').click();
    await poll(() => page.getByTestId('sound-status').getAttribute('data-ringing')).toBe('none');
    await wait(300); // let a call that was already scheduled finish starting
    const taken = await tones();
    await wait(2500);
    expect(await tones()).toBe(taken);

    await row(sos.id).getByTestId('resolve-button').click();
    await page.getByTestId('outcome-false_alarm').check();
    await page.getByTestId('resolve-submit').click();
    await row(sos.id).waitFor({ state: 'detached' });
  });

  it('shows the banner at once when the hub is lost, and catches up on reconnect', async () => {
    const before = await rows().count();
    hub.setSocketsUp(false);
    await page.getByTestId('connection-banner').waitFor({ timeout: 3_000 });
    expect(await page.getByTestId('connection-banner').textContent()).toContain(
      'Connection to hub lost',
    );
    expect(await page.getByTestId('connection-status').getAttribute('data-state')).toBe(
      'disconnected',
    );
    const missed = hub.raise('sos', { homeId: 'home-0009' }, false); // raised while the console is away
    const testFall = [...hub.alarms.values()].find((a) => a.kind === 'fall' && a.test);
    if (!testFall) throw new Error('no test fall alarm');
    hub.resolveAs(testFall.id, 'Wang Wei', false); // resolved elsewhere while the console is away
    await page.screenshot({ path: join(screenshots, 'console-disconnected.png') });

    hub.setSocketsUp(true);
    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 20_000 });
    await row(missed.id).waitFor();
    const ids = await rows().evaluateAll((els) =>
      els.map((el) => el.getAttribute('data-alarm-id')),
    );
    expect(new Set(ids).size).toBe(ids.length); // nothing shown twice
    expect(ids.length).toBe(before + 1 - 1); // one missed alarm added, one resolved elsewhere gone
    expect(ids).not.toContain(testFall.id);
    // A change made while we were away (its push lost) is caught up by the resync.
    const battery = [...hub.alarms.values()].find((a) => a.kind === 'low_battery');
    expect(await row(battery?.id ?? '').getAttribute('data-status')).toBe('acknowledged');
  });

  it('switches to Chinese and remembers it', async () => {
    await page.getByTestId('language-switch').getByText('中文').click();
    await poll(() => page.locator('#queue-title').textContent()).toContain('报警队列');
    await page.reload();
    await poll(() => page.locator('#queue-title').textContent()).toContain('报警队列');
    await page.getByTestId('alarm-row').first().waitFor();
    await page.screenshot({ path: join(screenshots, 'console-zh.png') });
    await page.keyboard.press('?');
    await page.getByTestId('shortcuts-dialog').waitFor();
    await page.screenshot({ path: join(screenshots, 'console-shortcuts-zh.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcuts-dialog').waitFor({ state: 'detached' });
  });

  it('stays usable at 200 % zoom (half the CSS viewport): header wraps, only the table scrolls sideways', async () => {
    await page.setViewportSize({ width: 720, height: 450 });
    await page.getByTestId('alarm-row').first().click();
    await page.getByTestId('alarm-detail').waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(screenshots, 'console-zoom200.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('has a dark theme for night shifts, remembered per browser', async () => {
    await page.getByTestId('theme-toggle').click();
    await poll(() => page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await page.screenshot({ path: join(screenshots, 'console-dark.png') });
    await page.reload();
    await poll(() => page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await page.getByTestId('theme-toggle').click();
    await poll(() => page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('light');
  });

  it('keeps up with a storm of 300 alarms pushed at once, all shown, in order', async () => {
    const before = await rows().count();
    const started = Date.now();
    for (let i = 0; i < 300; i += 1) {
      hub.raise(i % 3 === 0 ? 'fall' : i % 3 === 1 ? 'inactivity' : 'device_offline', {
        homeId: `home-${String(1000 + i)}`,
      });
    }
    await poll(() => rows().count()).toBe(before + 300);
    const elapsedMs = Date.now() - started;
    console.log(`[web] 300 pushed alarms rendered in ${elapsedMs} ms`);
    const priorities = await rows().evaluateAll((els) =>
      els.map((el) => Number(el.getAttribute('data-priority'))),
    );
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
    // A clock tick with 300+ rows re-renders only the age cells: measure a few seconds of it.
    const busyMs = await page.evaluate(async () => {
      let busy = 0;
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) busy += entry.duration;
      });
      observer.observe({ type: 'longtask', buffered: false });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      observer.disconnect();
      return busy;
    });
    console.log(
      `[web] long tasks during 3 s of ticking with ${before + 300} rows: ${busyMs.toFixed(0)} ms`,
    );
    expect(busyMs).toBeLessThan(1500);
  });

  it('returns to the login page when the session ends (socket refused, REST says 401)', async () => {
    hub.expireSessions();
    await page.getByTestId('login-username').waitFor({ timeout: 20_000 });
    // Still in Chinese (chosen in an earlier step): 'Your session has ended. Please sign in again.'
    expect(await page.getByTestId('login-notice').textContent()).toBe('登录已失效，请重新登录。');
    await page.screenshot({ path: join(screenshots, 'login-after-expiry.png') });
  });
});
