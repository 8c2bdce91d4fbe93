// node axe.mjs <url-or-file>
//
// Opens the page in Chromium, runs axe-core's WCAG 2.0/2.1 A and AA rules on it and prints
// {"url", "passes", "violations": [...]} as JSON. Exits 1 when there is any violation, 2 when
// the page cannot be audited.
import { createRequire } from 'node:module';
import { toUrl, withChromium } from './chromium.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const arg = process.argv[2];
if (!arg) {
  console.error('usage: node axe.mjs <url-or-file>');
  process.exit(2);
}
const url = toUrl(arg);

try {
  // The page's CSP forbids scripts; bypassing it lets axe be injected.
  const result = await withChromium({ bypassCSP: true }, async (context) => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url, { waitUntil: 'load' });
    await page.addScriptTag({ path: AXE });
    return page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
      TAGS,
    );
  });
  const violations = result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
  }));
  console.log(JSON.stringify({ url, passes: result.passes.length, violations }, null, 2));
  process.exit(violations.length === 0 ? 0 : 1);
} catch (error) {
  console.error(`axe.mjs: ${error.stack || error}`);
  process.exit(2);
}
