/**
 * A person's first contact: Swagger UI in a real (headless) Chromium against the
 * real system, using only what the page offers. Seeded like ./setup.sh's demo
 * deal (product X, 10 units, 19.99, deal price 9.99 for 30 minutes), the test
 * opens /documentation and, with "Try it out" and the page's own examples,
 * buys a unit: add to cart, check out, read the order. Then it does it all
 * again as the same person, and checks that two units were bought as two
 * orders (in the page, over HTTP and in the database). Nothing is typed but the
 * orderID the checkout answered, which the GET order form has no example for.
 *
 * Needs `npm run build` first and Chromium at /usr/bin/chromium (Debian's
 * package; CHROMIUM_PATH overrides): without it the test fails, it does not skip.
 * Screenshots go to .run/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LocalSystem, ROOT } from '../../../tools/lib/system';
import { eventually } from '../../../test/support/wait';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A fresh profile comes from launchPersistentContext (--user-data-dir, a new temporary directory per run). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** What ./setup.sh seeds (DEMO_SEED_ARGS), with the same seed command (`npm run seed`). */
const DEMO_SEED = ['--product', 'X', '--name', 'Lightning deal X', '--stock', '10', '--price', '1999', '--deal-price', '999', '--deal-minutes', '30'];
const CLIENT = 'alice';
const PRODUCT = 'X';
const VIEWPORT = { width: 1280, height: 800 };
const SCREENSHOTS = path.join(ROOT, '.run', 'screenshots');
/** One request answered in the page: a live response of Swagger UI. */
const ANSWER_TIMEOUT_MS = 20_000;

interface LiveResponse {
  status: number;
  body: any;
}

describe('Swagger UI: a first purchase with the page\'s own examples', () => {
  let system: LocalSystem | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let profileDir = '';
  let shot = 0;
  const pageErrors: string[] = [];

  const screenshot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(SCREENSHOTS, `swagger-ui-${String(++shot).padStart(2, '0')}-${name}.png`) });
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: this test drives Swagger UI in a real browser and cannot run without it. ` +
          'Install Debian\'s package (sudo apt-get install -y chromium) or set CHROMIUM_PATH.',
      );
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const file of readdirSync(SCREENSHOTS)) if (file.startsWith('swagger-ui-')) rmSync(path.join(SCREENSHOTS, file));
    system = await LocalSystem.start({ env: { PAYMENT_LATENCY_MS: '20' } });
    await promisify(execFile)('node', [path.join(ROOT, 'dist/inventory-manager/src/cli/seed.js'), ...DEMO_SEED], { env: { ...process.env, ...system.dbEnv() } });
    profileDir = mkdtempSync(path.join(os.tmpdir(), 'swagger-ui-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: VIEWPORT,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(ANSWER_TIMEOUT_MS);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${system.gatewayUrl}/documentation`);
  }, 90_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await system?.stop();
  }, 60_000);

  /** The operation's block, by the ids Swagger UI derives from tag and operationId. */
  const operation = (tag: string, operationId: string): Locator => page.locator(`#operations-${tag}-${operationId}`);

  async function open(op: Locator): Promise<void> {
    if (!(await op.evaluate((el) => el.classList.contains('is-open')))) await op.locator('.opblock-summary-control').click();
    const tryOut = op.locator('button.try-out__btn');
    // "Try it out" turns into "Cancel" once pressed.
    if ((await tryOut.textContent())?.trim() === 'Try it out') await tryOut.click();
    await op.locator('button.execute').waitFor();
  }

  /** Press Execute and read the answer Swagger UI shows (its live response, not a sleep). */
  async function execute(op: Locator, name: string): Promise<LiveResponse> {
    const clear = op.locator('button.btn-clear');
    if (await clear.isVisible()) {
      await clear.click();
      await op.locator('.live-responses-table').waitFor({ state: 'detached' });
    }
    await op.locator('button.execute').click();
    const live = op.locator('.responses-wrapper .live-responses-table');
    const statusCell = live.locator('.response .response-col_status').first();
    await statusCell.waitFor();
    const bodyText = (await live.locator('.response-col_description .highlight-code pre').first().textContent()) ?? '';
    // The request as sent (curl), then the answer, at the top of the screen.
    await op.locator('.responses-wrapper .curl-command').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(name);
    return { status: Number((await statusCell.textContent())?.trim()), body: JSON.parse(bodyText) };
  }

  async function buyOneUnit(round: number): Promise<string> {
    // Add to cart: the body is the page's example, the Idempotency-Key is left as the page leaves it (empty).
    const add = operation('cart', 'addToCart');
    await open(add);
    expect(JSON.parse(await add.locator('textarea.body-param__text').inputValue())).toEqual({ clientID: CLIENT, productID: PRODUCT, quantity: 1 });
    expect(await add.locator('tr[data-param-name="Idempotency-Key"] input').inputValue()).toBe('');
    const added = await execute(add, `round${round}-add-to-cart`);
    expect(added).toEqual({ status: 200, body: { status: 'Success', error: '' } });
    expect(await add.locator('.responses-wrapper .curl-command').textContent()).not.toMatch(/idempotency-key/i);

    const checkout = operation('checkout', 'checkout');
    await open(checkout);
    expect(JSON.parse(await checkout.locator('textarea.body-param__text').inputValue())).toEqual({ clientID: CLIENT });
    expect(await checkout.locator('tr[data-param-name="Idempotency-Key"] input').inputValue()).toBe('');
    // The documented answer links to the order (OpenAPI links, shown by Swagger UI beside the 200).
    const link = checkout.locator('table.responses-table:not(.live-responses-table) tr[data-code="200"] .response-col_links');
    await expect(link.textContent()).resolves.toMatch(/GetOrder[\s\S]*getOrder[\s\S]*\$response\.body#\/orderID/);
    const checkedOut = await execute(checkout, `round${round}-checkout`);
    expect(checkedOut).toMatchObject({ status: 200, body: { status: 'Success', error: '', total: 999 } });
    const orderID = checkedOut.body.orderID as string;
    expect(orderID).toMatch(/^[0-9a-f-]{36}$/);

    // The order: the one value typed, the orderID the checkout just showed (the form has no example for it).
    const getOrder = operation('orders', 'getOrder');
    await open(getOrder);
    const orderInput = getOrder.locator('tr[data-param-name="orderID"] input');
    if (round === 1) expect(await orderInput.inputValue()).toBe('');
    await orderInput.fill(orderID);
    const order = await execute(getOrder, `round${round}-order`);
    expect(order).toMatchObject({
      status: 200,
      body: { orderID, clientID: CLIENT, status: 'confirmed', payment: 'charged', total: 999, items: [{ productID: PRODUCT, quantity: 1, unitPrice: 999 }] },
    });
    return orderID;
  }

  test('the operations are on the first screen, and the error codes at the end', async () => {
    const first = operation('cart', 'addToCart');
    await first.waitFor();
    await screenshot('first-screen');
    const box = await first.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(VIEWPORT.height);
    const tags = await page.locator('.opblock-tag-section .opblock-tag').evaluateAll((els) => els.map((el) => el.getAttribute('data-tag')));
    expect(tags.at(-1)).toBe('error codes');
    const errors = page.locator('.opblock-tag-section').last();
    await expect(errors.textContent()).resolves.toContain('SOLD_OUT');
    await errors.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot('error-codes');
    await page.evaluate('window.scrollTo(0, 0)');
  });

  test('when a person buys with the page\'s examples, twice, then two units are sold as two confirmed orders', async () => {
    const product = operation('products', 'getProduct');
    await open(product);
    expect(await product.locator('tr[data-param-name="productID"] input').inputValue()).toBe(PRODUCT);
    const before = await execute(product, 'product-before');
    expect(before).toMatchObject({ status: 200, body: { productID: PRODUCT, price: 1999, dealPrice: 999, dealActive: true, available: 10, sold: 0 } });

    const first = await buyOneUnit(1);
    // The ordered unit leaves the cart when the order is finalized (an event): wait for it, then look at the cart in the page.
    await eventually(async () => expect((await system!.get(`/carts/${CLIENT}`)).body.items).toEqual([]));
    const cart = operation('cart', 'getCart');
    await open(cart);
    expect(await cart.locator('tr[data-param-name="clientID"] input').inputValue()).toBe(CLIENT);
    expect(await execute(cart, 'cart-after-first')).toEqual({ status: 200, body: { clientID: CLIENT, items: [] } });

    const second = await buyOneUnit(2);
    expect(second).not.toBe(first);

    const orders = operation('orders', 'listOrders');
    await open(orders);
    expect(await orders.locator('tr[data-param-name="clientID"] input').inputValue()).toBe(CLIENT);
    const list = await execute(orders, 'orders-of-alice');
    expect(list.status).toBe(200);
    expect(list.body.orders.map((o: { orderID: string; status: string }) => [o.orderID, o.status])).toEqual([
      [second, 'confirmed'],
      [first, 'confirmed'],
    ]);
    expect(await execute(product, 'product-after')).toMatchObject({ status: 200, body: { productID: PRODUCT, available: 8, reserved: 0, sold: 2 } });

    // The database agrees: two confirmed orders of one unit each, two units sold, and the audit holds.
    await system!.settle();
    const [rows] = await system!.pool.query<RowDataPacket[]>(
      'SELECT order_id, status, total_cents FROM orders WHERE client_id = ? ORDER BY created_at',
      [CLIENT],
    );
    expect(rows.map((r) => [r.order_id, r.status, r.total_cents])).toEqual([
      [first, 'confirmed', 999],
      [second, 'confirmed', 999],
    ]);
    const [[counters]] = await system!.pool.query<RowDataPacket[]>('SELECT quantity, reserved, sold FROM product_details WHERE product_id = ?', [PRODUCT]);
    expect(counters).toMatchObject({ quantity: 8, reserved: 0, sold: 2 });
    const audit = await system!.audit();
    expect(audit.violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

