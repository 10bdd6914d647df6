import type { Express } from 'express';
import { ERROR_CATALOG, ERROR_CODES } from '../../../contracts/errors';
import { httpStatusOf } from '../../src/http/status';
import type { Logger } from '../../../common/src/logger';
import { createApp, toExpressPath } from '../../src/http/app';
import { createContract } from '../../src/http/contract';
import type { ReadStore } from '../../src/db/read-store';
import { buildOpenApiDocument, ERRORS_TAG } from '../../src/http/openapi';
import type { Rpc } from '../../src/messaging/rpc';

const contract = createContract({ maxQuantityPerLine: 7 });
const doc = buildOpenApiDocument(contract);
const text = JSON.stringify(doc);

type Schema = { $ref?: string; example?: unknown; default?: unknown; properties?: Record<string, Schema> };
type Parameter = { name: string; in: string; required?: boolean; example?: unknown; examples?: unknown; schema?: Schema };
type Link = { operationId?: string; operationRef?: string; parameters?: Record<string, string> };
type Operation = {
  operationId?: string;
  parameters?: Parameter[];
  responses: Record<string, { headers?: Record<string, unknown>; description?: string; links?: Record<string, Link>; content?: Record<string, { schema: Schema }> }>;
  requestBody?: { content: Record<string, { schema: Schema; example?: unknown; examples?: unknown }> };
};
const operation = (path: string, method: string): Operation => {
  const item = (doc.paths as Record<string, Record<string, Operation>>)[path];
  if (!item?.[method]) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
  return item[method];
};

const operations = (): Array<{ path: string; method: string; op: Operation }> =>
  Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
const resolve = (schema: Schema): Schema => {
  const name = schema.$ref?.replace('#/components/schemas/', '');
  return name ? (doc.components?.schemas?.[name] as Schema) : schema;
};

/** Every value Swagger UI's "Try it out" would fill in for an operation: parameter examples and request body property examples. */
function requestExamples(op: Operation): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of op.parameters ?? []) {
    const value = p.example ?? p.schema?.example ?? p.schema?.default ?? p.examples;
    if (value !== undefined) out[`${p.in}:${p.name}`] = value;
  }
  const body = op.requestBody?.content['application/json'];
  if (body) {
    if (body.example !== undefined || body.examples !== undefined) out['body'] = body.example ?? body.examples;
    for (const [name, prop] of Object.entries(resolve(body.schema).properties ?? {})) {
      if (prop.example !== undefined || prop.default !== undefined) out[`body:${name}`] = prop.example ?? prop.default;
    }
  }
  return out;
}

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
    const errors = doc.tags?.find((tag) => tag.name === ERRORS_TAG);
    for (const code of ERROR_CODES) {
      expect(errors?.description).toContain(`| \`${code}\` | ${httpStatusOf(code)} | ${ERROR_CATALOG[code].description} |`);
    }
  });

  it('when Swagger UI shows the document, then the operations come first: a short introduction, the error table in the last tag', () => {
    // Swagger UI renders info.description above the operations and the tags in this order.
    expect(doc.info.description).not.toContain('| --- |');
    expect(doc.info.description!.split('\n').length).toBeLessThanOrEqual(6);
    expect(doc.info.description).toContain(ERRORS_TAG);
    expect(doc.tags?.at(-1)?.name).toBe(ERRORS_TAG);
    // It is a section of the page, not an operation's tag.
    expect(operations().filter(({ op }) => (op as { tags?: string[] }).tags?.includes(ERRORS_TAG))).toEqual([]);
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
      expect((header as { description?: string }).description).toMatch(/1 to 100 characters/);
    }
  });

  it('when Swagger UI tries a POST out, then it sends no Idempotency-Key: the header has no example or default to pre-fill', () => {
    // A pre-filled key is sent on every "Try it out": the second add-to-cart would be a retry (not added), the second
    // checkout would return the first order.
    for (const { op } of operations()) {
      const header = op.parameters?.find((p) => p.name.toLowerCase() === 'idempotency-key');
      if (!header) continue;
      expect(header).not.toHaveProperty('example');
      expect(header).not.toHaveProperty('examples');
      expect(header.schema).not.toHaveProperty('example');
      expect(header.schema).not.toHaveProperty('default');
      expect(requestExamples(op)).not.toHaveProperty('header:Idempotency-Key');
    }
    expect(text).not.toContain('b3c5f1d2-retry-safe-key');
  });

  it('when Swagger UI tries an operation out, then its examples are the demo deal of ./setup.sh: product X, bought by alice', () => {
    const examples = Object.fromEntries(operations().map(({ path, method, op }) => [`${method} ${path}`, requestExamples(op)]));
    expect(examples['post /addToCart']).toEqual({ 'body:clientID': 'alice', 'body:productID': 'X', 'body:quantity': 1 });
    expect(examples['post /checkOutCart']).toEqual({ 'body:clientID': 'alice' });
    expect(examples['get /carts/{clientID}']).toEqual({ 'path:clientID': 'alice' });
    expect(examples['get /orders']).toEqual({ 'query:clientID': 'alice' });
    expect(examples['get /products/{productID}']).toEqual({ 'path:productID': 'X' });
    // No order exists before a checkout: the form stays empty and says where the id comes from (the checkout's link).
    expect(examples['get /orders/{orderID}']).toEqual({});
    expect(operation('/orders/{orderID}', 'get').parameters?.[0]).toMatchObject({ name: 'orderID', description: expect.stringContaining('/checkOutCart') });
    // Every other operation takes nothing to fill in.
    for (const [key, value] of Object.entries(examples)) {
      if (!['post /addToCart', 'post /checkOutCart', 'get /carts/{clientID}', 'get /orders', 'get /products/{productID}'].includes(key)) expect([key, value]).toEqual([key, {}]);
    }
    for (const stale of ['tv-55', 'client-42']) expect(text).not.toContain(stale);
  });

  it('when a checkout answers with an orderID, then its response links to GET /orders/{orderID} with that orderID', () => {
    const getOrder = operation('/orders/{orderID}', 'get');
    expect(getOrder.operationId).toBe('getOrder');
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.filter((id) => id === 'getOrder')).toHaveLength(1);
    expect(new Set(ids).size).toBe(ids.length);

    const checkout = operation('/checkOutCart', 'post');
    for (const status of ['200', '202', '400', '402', '409']) {
      expect(checkout.responses[status]?.links).toEqual({
        GetOrder: expect.objectContaining({ operationId: 'getOrder', parameters: { orderID: '$response.body#/orderID' } }),
      });
    }
    // The link's parameter names the operation's own path parameter, and the bodies it reads carry an orderID.
    expect(getOrder.parameters?.map((p) => p.name)).toEqual(['orderID']);
    for (const status of ['200', '202', '402', '409']) {
      expect(resolve(checkout.responses[status]!.content!['application/json']!.schema).properties).toHaveProperty('orderID');
    }
    expect(checkout.responses['413']?.links).toBeUndefined();
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
