import type { Express } from 'express';
import { ERROR_CATALOG, ERROR_CODES } from '../../../common/src/errors';
import type { Logger } from '../../../common/src/logger';
import { createApp, toExpressPath } from '../../src/app';
import { createContract } from '../../src/contract';
import type { ReadStore } from '../../src/db/read-store';
import { buildOpenApiDocument } from '../../src/openapi';
import type { Rpc } from '../../src/rpc';

const contract = createContract({ maxQuantityPerLine: 7 });
const doc = buildOpenApiDocument(contract);
const text = JSON.stringify(doc);

type Operation = {
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  responses: Record<string, { headers?: Record<string, unknown>; description?: string }>;
  requestBody?: unknown;
};
const operation = (path: string, method: string): Operation => {
  const item = (doc.paths as Record<string, Record<string, Operation>>)[path];
  if (!item?.[method]) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
  return item[method];
};

function registeredRoutes(app: Express): string[] {
  const stack = (app as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router.stack;
  return stack.flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((m) => `${m} ${layer.route!.path}`) : []));
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3', () => {
    expect(doc.openapi).toMatch(/^3\./);
  });

  it('when the app is built, then every route it serves is documented, and nothing else', () => {
    const app = createApp({
      config: { MAX_QUANTITY_PER_LINE: 7, ADD_TO_CART_WAIT_MS: 100, CHECKOUT_WAIT_MS: 100, RETRY_AFTER_SECONDS: 1 },
      log: { isLevelEnabled: () => false } as unknown as Logger,
      pool: {} as never,
      rpc: {} as Rpc,
      store: {} as ReadStore,
      broker: { isReady: true },
      topology: { addToCart: 'a', checkout: 'c' },
    });
    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) => Object.keys(item as object).map((m) => `${m} ${toExpressPath(path)}`));
    expect(registeredRoutes(app).sort()).toEqual(documented.sort());
    expect(documented).toEqual(
      expect.arrayContaining([
        'post /addToCart',
        'post /checkOutCart',
        'get /orders/:orderID',
        'get /orders',
        'get /carts/:clientID',
        'get /products',
        'get /products/:productID',
        'get /healthz',
        'get /readyz',
        'get /metrics',
        'get /openapi.json',
        'get /documentation',
      ]),
    );
  });

  it('when listing error codes, then every code of the catalog is there with its HTTP status and description', () => {
    const enumValues = (doc.components?.schemas?.ErrorCode as { enum: string[] }).enum;
    expect([...enumValues].sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      expect(doc.info.description).toContain(`| \`${code}\` | ${ERROR_CATALOG[code].http} | ${ERROR_CATALOG[code].description} |`);
    }
  });

  it('when a route can fail with a code, then its response for that status describes the code', () => {
    const checkout = operation('/checkOutCart', 'post');
    expect(checkout.responses['402']?.description).toContain('PAYMENT_DECLINED');
    for (const code of ['SOLD_OUT', 'ALL_RESERVED', 'RESERVATION_EXPIRED', 'CHECKOUT_IN_PROGRESS']) {
      expect(checkout.responses['409']?.description).toContain(code);
    }
    expect(checkout.responses['400']?.description).toContain('EMPTY_CART');
    expect(operation('/orders/{orderID}', 'get').responses['404']?.description).toContain('ORDER_NOT_FOUND');
    expect(operation('/products/{productID}', 'get').responses['404']?.description).toContain('PRODUCT_NOT_FOUND');
    expect(operation('/addToCart', 'post').responses['413']?.description).toContain('PAYLOAD_TOO_LARGE');
  });

  it('when a response can ask to come back later, then it documents Retry-After', () => {
    const checkout = operation('/checkOutCart', 'post');
    for (const status of ['202', '409', '503']) expect(checkout.responses[status]?.headers).toHaveProperty('Retry-After');
    expect(checkout.responses['402']?.headers).toBeUndefined();
    expect(operation('/addToCart', 'post').responses['503']?.headers).toHaveProperty('Retry-After');
    expect(operation('/readyz', 'get').responses['503']?.headers).toHaveProperty('Retry-After');
  });

  it('when a POST accepts an Idempotency-Key, then the optional header is documented', () => {
    for (const path of ['/addToCart', '/checkOutCart']) {
      const header = operation(path, 'post').parameters?.find((p) => p.name === 'Idempotency-Key');
      expect(header).toMatchObject({ in: 'header', required: false });
    }
  });

  it('when documenting the body, then the limits are the validated ones (from the same schema)', () => {
    const body = doc.components?.schemas?.AddToCartRequest as { properties: Record<string, { maxLength?: number; maximum?: number; minimum?: number }>; required: string[] };
    expect(body.properties.clientID?.maxLength).toBe(100);
    expect(body.properties.productID?.maxLength).toBe(100);
    expect(body.properties.quantity).toMatchObject({ minimum: 1, maximum: 7 });
    expect(body.required.sort()).toEqual(['clientID', 'productID', 'quantity']);
    expect(operation('/orders', 'get').parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'clientID', in: 'query', required: true })]));
    expect(operation('/orders/{orderID}', 'get').parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'orderID', in: 'path' })]));
  });

  it('documents every response body shape', () => {
    for (const name of ['Failure', 'AddToCartSuccess', 'CheckoutSuccess', 'CheckoutPending', 'Order', 'OrderList', 'Cart', 'Product', 'ProductList', 'Health']) {
      expect(doc.components?.schemas).toHaveProperty(name);
    }
    expect(text).toContain('"dealActive"');
    expect(text).toContain('"unitPrice"');
  });
});
