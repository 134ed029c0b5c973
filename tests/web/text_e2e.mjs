// Typed text reaches the app's fields (issue 19, fault 3), in headless Chromium:
//   - text inserted the way IMEs, dictation and phone keyboards insert it (the
//     DevTools protocol's Input.insertText) into the code's x field, after a
//     click and Ctrl+A, then Enter: latentpad.getLatent() has x = 0.25;
//   - a paste event carrying "-0.5" into the y field, with Ctrl held as on
//     Ctrl+V, moves y to -0.5;
//   - Ctrl+C in a field puts its text on the system clipboard
//     (navigator.clipboard, with the context's clipboard permissions);
//   - at a 390x844 phone viewport, a finger tap on the code's x field focuses
//     the page's hidden text input (what opens a phone's keyboard), and the
//     input is blurred again when the field is left.
//
// usage: node text_e2e.mjs SITE_DIR
import { expect, nextFrames, startBrowser } from './browser.mjs';

const [siteDir] = process.argv.slice(2);
if (!siteDir) {
  console.error('usage: node text_e2e.mjs SITE_DIR');
  process.exit(2);
}
const { base, test, open, finish } = await startBrowser(siteDir);
const layout = (page) => page.evaluate(() => window.latentpad.layout());
const latent = (page) => page.evaluate(() => window.latentpad.getLatent());
const centre = ([x, y, w, h]) => ({ x: x + w / 2, y: y + h / 2 });
const near = (a, b) => Math.abs(a - b) < 1e-4;
// What has the keyboard: the hidden input's id, or the element's tag.
const focused = (page) => page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));

// A click without moving, then Ctrl+A: the field is a text field, all selected.
// Polls cond() once a frame for up to `frames` frames: the app draws only when
// something changes and the clipboard is asynchronous, so a fixed number of
// frames is a race on a busy machine. Returns cond()'s last value.
async function frameUntil(page, cond, frames = 120) {
  let value = await cond();
  for (let i = 0; i < frames && !value; ++i) {
    await nextFrames(page, 1);
    value = await cond();
  }
  return value;
}

async function editField(page, rect) {
  const { x, y } = centre(rect);
  await page.mouse.click(x, y);
  await nextFrames(page, 4);
  await page.keyboard.press('Control+A');
  await nextFrames(page, 2);
}

await test('text inserted by an IME or a phone keyboard sets the code', async (page, problems) => {
  await open(page);
  const { code_x } = await layout(page);
  expect(Array.isArray(code_x) && code_x[2] > 0, 'layout().code_x is missing');
  await editField(page, code_x);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.insertText', { text: '0.25' });
  await nextFrames(page, 2);
  await page.keyboard.press('Enter');
  await nextFrames(page, 4);
  const z = await latent(page);
  expect(near(z.x, 0.25), `x is ${z.x} after typing 0.25 and Enter in the x field`);
  expect(near(z.y, 0), `y moved to ${z.y}`);
  expect(problems.length === 0, problems.join('; '));
  return `getLatent() = (${z.x}, ${z.y})`;
});

await test('a paste into the y field sets it', async (page, problems) => {
  await open(page);
  await editField(page, (await layout(page)).code_y);
  // What the browser fires on Ctrl+V, a paste menu or a phone's paste button;
  // here with Ctrl held, as on Ctrl+V (ImGui takes text typed with Ctrl held
  // for a shortcut and drops it).
  await page.keyboard.down('Control');
  await nextFrames(page, 2);
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.setData('text/plain', '-0.5');
    const target = document.activeElement || document.body;
    target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await nextFrames(page, 2);
  await page.keyboard.up('Control');
  await nextFrames(page, 2);
  await page.keyboard.press('Enter');
  await nextFrames(page, 4);
  const z = await latent(page);
  expect(near(z.y, -0.5), `y is ${z.y} after pasting -0.5 into the y field`);
  expect(near(z.x, 0), `x moved to ${z.x}`);
  expect(problems.length === 0, problems.join('; '));
  return `getLatent() = (${z.x}, ${z.y})`;
});

await test('Ctrl+C in a field reaches the system clipboard', async (page, problems) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await open(page, '?z=0.375,-0.125');
  await page.evaluate(() => navigator.clipboard.writeText('nothing copied yet'));
  await editField(page, (await layout(page)).code_x);
  await page.keyboard.press('Control+C');
  const readClipboard = () => page.evaluate(() => navigator.clipboard.readText());
  await frameUntil(page, async () => (await readClipboard()) === '0.375');
  const text = await readClipboard();
  expect(text === '0.375', `the clipboard holds "${text}" after Ctrl+C in the x field showing 0.375`);
  await page.keyboard.press('Escape');
  expect(problems.length === 0, problems.join('; '));
  return `clipboard "${text}"`;
});

await test('a tap on a number field on a phone focuses a text input', async (page, problems) => {
  await open(page);
  const rect = (await layout(page)).code_x;
  expect(rect[1] + rect[3] <= 844, `the x field is off screen at ${rect}`);
  expect(await focused(page) !== 'lp-text-input', 'the text input has the keyboard before any tap');
  const { x, y } = centre(rect);
  await page.touchscreen.tap(x, y);
  await nextFrames(page, 4);
  const after = await focused(page);
  expect(after === 'lp-text-input', `after a tap on the x field, the keyboard is with ${after}, not a text input`);
  const style = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { size: parseFloat(s.fontSize), opacity: parseFloat(s.opacity) };
  });
  expect(style.size >= 16 && style.opacity === 0, `the input shows (opacity ${style.opacity}) or makes iOS zoom (${style.size}px)`);
  // Typed on the phone's keyboard, then Enter: the field takes it.
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('-0.75');
  await nextFrames(page, 2);
  await page.keyboard.press('Enter');
  await frameUntil(page, async () => (await focused(page)) !== 'lp-text-input');
  const z = await latent(page);
  expect(near(z.x, -0.75), `x is ${z.x} after typing -0.75 on the phone`);
  expect(await focused(page) !== 'lp-text-input', 'the text input keeps the keyboard after the field was left');
  expect(problems.length === 0, problems.join('; '));
  return `focused ${after}, then x = ${z.x}`;
}, { viewport: { width: 390, height: 844 } });

await finish('text_e2e');
