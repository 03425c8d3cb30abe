/**
 * The HTML report in a real browser (headless Chromium driven by playwright-core): every chart
 * draws, the page fits 900 px without sideways scrolling, hovering shows values, a legend click
 * hides its line, and there are no script errors. The screenshot is written to the temp directory
 * (path printed) for a look by eye.
 *
 * Needs Debian's `chromium` at /usr/bin/chromium (`apt-get install -y chromium`). Without it the
 * test is skipped with one line, except under CI=true, where it fails.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { DEFAULT_SCENARIO } from '../../sim/scenario/default-scenario';
import { renderReport } from '../../sim/report/report';
import { runScenario } from '../../sim/run/run';
import { parseScenario } from '../../sim/scenario/scenario';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const ci = process.env.CI === 'true';

if (!available && !ci) {
  process.stderr.write(`report screenshot test skipped: ${CHROMIUM} not found (apt-get install -y chromium)\n`);
}

(available || ci ? describe : describe.skip)('report in headless Chromium', () => {
  it('draws every chart, fits 900 px, shows hover values and toggles lines', async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    const scenario = parseScenario({ ...(DEFAULT_SCENARIO as Record<string, unknown>), durationMinutes: 960 }, 'default, first 16 h');
    const output = await runScenario(scenario, { root: join(__dirname, '..', '..') });
    const dir = mkdtempSync(join(tmpdir(), 'headroom-report-'));
    const html = join(dir, 'report.html');
    writeFileSync(html, renderReport(output));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(`file://${html}`);
      await page.waitForSelector('body[data-charts]');
      const charts = Number(await page.getAttribute('body', 'data-charts'));
      const specs = (JSON.parse((await page.textContent('#chart-data')) ?? '[]') as unknown[]).length;
      expect(charts).toBe(specs);
      expect(await page.locator('canvas').count()).toBe(specs);
      // Fits 900 px: nothing wider than the viewport.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(900);
      // The new views are there.
      for (const title of ['Difference vs Headroom', 'Headroom: capacity vs demand, per group, with its actions', 'shortage threshold', 'scale-out', 'Spot) desired']) {
        expect(await page.content()).toContain(title);
      }
      // Hover: the legend shows the values under the cursor.
      const chart = page.locator('#headroom-capacity .u-over');
      await chart.scrollIntoViewIfNeeded();
      const box = await chart.boundingBox();
      expect(box).not.toBeNull();
      await chart.hover({ position: { x: (box?.width ?? 0) * 0.6, y: (box?.height ?? 0) / 2 } });
      const values = await page.locator('#headroom-capacity .u-legend .u-value').allTextContents();
      expect(values.some((v) => /\d/.test(v))).toBe(true);
      // Legend toggle: clicking an entry turns its line off.
      const entry = page.locator('#pending .u-legend .u-series').nth(2);
      await entry.click();
      expect(await entry.getAttribute('class')).toContain('u-off');
      await page.mouse.move(0, 0);
      const png = join(dir, 'report-900px.png');
      await page.screenshot({ path: png, fullPage: true });
      process.stderr.write(`report screenshot: ${png}\n`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
