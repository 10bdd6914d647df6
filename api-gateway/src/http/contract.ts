/**
 * The HTTP contract of the gateway, in one place: the zod schemas that validate
 * every request are the ones the OpenAPI document is generated from (openapi.ts),
 * and app.ts registers exactly the routes listed here, so code, validation and
 * documentation cannot drift apart.
 */
import { extendZodWithOpenApi, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ERROR_CATALOG, ERROR_CODES, type ErrorCode, hasRetryAfter } from '../../../contracts/errors';
import { ID_LENGTH_PROBLEM, ID_MAX_LENGTH, withIdRule } from '../../../contracts/ids';
import { httpStatusOf } from './status';

extendZodWithOpenApi(z);

export { ID_MAX_LENGTH };
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const RETRY_AFTER_HEADER = 'Retry-After';
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * The examples are the demo deal ./setup.sh seeds (product X, 10 units, deal
 * price 9.99): Swagger UI's "Try it out" sends them as they are, so they must
 * work against a fresh setup. The client is any name; alice buys.
 */
export const EXAMPLE_CLIENT_ID = 'alice';
export const EXAMPLE_PRODUCT_ID = 'X';

/** The operationId of GET /orders/{orderID}: the checkout responses link to it. */
export const GET_ORDER_OPERATION_ID = 'getOrder';

/** Codes whose response carries Retry-After: the same request may succeed later. */
export const RETRY_AFTER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(ERROR_CODES.filter(hasRetryAfter));

export interface ContractLimits {
  maxQuantityPerLine: number;
}

// Messages are written to follow the field name ("quantity must be ..."):
// validate.ts prefixes each issue with its path.
const typeError = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${expected}`;

function identifier(name: string, example: string) {
  // min/max put minLength/maxLength in the document; a length problem they and the rule both
  // report is named once (validate.ts, describeIssues).
  return withIdRule(z.string({ error: typeError('a string') }).min(1, ID_LENGTH_PROBLEM).max(ID_MAX_LENGTH, ID_LENGTH_PROBLEM)).openapi({
    description: `${name}, 1 to ${ID_MAX_LENGTH} characters, with no whitespace at either end, no control characters and no lone surrogates; compared exactly.`,
    example,
  });
}

const uuidSchema = () => z.uuid({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a UUID') });
/** A UUID in a response body: the example only shows the shape. */
const uuid = (description: string) => uuidSchema().openapi({ description, example: '3f0b8f38-8f1e-5b8a-9d0e-6c7f0a1b2c3d' });

const isoDate = (description: string) => z.string().openapi({ description, format: 'date-time', example: '2025-01-01T12:00:00.000Z' });
const cents = (description: string) => z.number().int().min(0).openapi({ description, example: 999 });

export function createSchemas(limits: ContractLimits) {
  const maxQuantity = limits.maxQuantityPerLine;
  const quantityMessage = `must be an integer from 1 to ${maxQuantity}`;

  const ErrorCodeSchema = z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).openapi('ErrorCode', {
    description: ['One code of the error catalog:', '', ...ERROR_CODES.map((code) => `- \`${code}\` (HTTP ${httpStatusOf(code)}): ${ERROR_CATALOG[code].description}`)].join('\n'),
  });

  const Failure = z
    .object({
      status: z.literal('Failed'),
      error: z.string().openapi({ description: 'What is wrong, for a person.', example: 'quantity must be an integer from 1 to 100' }),
      code: ErrorCodeSchema,
      orderID: z.uuid().optional().openapi({ description: 'Present on checkout failures once an order id exists (the order is recorded as failed).' }),
    })
    .openapi('Failure', { description: 'Every failure has this shape.' });

  const AddToCartRequest = z
    .object(
      {
        clientID: identifier('The buying client', EXAMPLE_CLIENT_ID),
        productID: identifier('The product to add', EXAMPLE_PRODUCT_ID),
        quantity: z
          .number({ error: (issue) => (issue.input === undefined ? 'is required' : quantityMessage) })
          .int(quantityMessage)
          .min(1, quantityMessage)
          .max(maxQuantity, quantityMessage)
          .openapi({ description: `Units to add to the cart line (quantities add up), integer from 1 to ${maxQuantity}.`, example: 1 }),
      },
      { error: 'must be a JSON object (send Content-Type: application/json)' },
    )
    .openapi('AddToCartRequest', { description: 'Unknown extra fields are ignored.' });

  const CheckoutRequest = z
    .object({ clientID: identifier('The buying client', EXAMPLE_CLIENT_ID) }, { error: 'must be a JSON object (send Content-Type: application/json)' })
    .openapi('CheckoutRequest', { description: 'Unknown extra fields are ignored.' });

  const IdempotencyHeaders = z.object({
    [IDEMPOTENCY_KEY_HEADER]: withIdRule(z.string().min(1, ID_LENGTH_PROBLEM).max(ID_MAX_LENGTH, ID_LENGTH_PROBLEM))
      .optional()
      // No example, on purpose: Swagger UI would send it with every "Try it out", and a repeated key is a retry
      // (a second add-to-cart would not add, a second checkout would return the first order).
      .openapi({
        description:
          `Optional: any string of 1 to ${ID_MAX_LENGTH} characters you choose (a fresh UUID works; no whitespace at either end, no control characters, no lone surrogates), new for each request you mean, ` +
          'repeated only to retry a request whose answer you did not get. With the same key (and client) a checkout retry returns ' +
          'the same orderID and that order\'s current status, and an add-to-cart retry is applied once. Leave it empty for a new request.',
      }),
  });

  const AddToCartSuccess = z
    .object({ status: z.literal('Success'), error: z.literal('') })
    .openapi('AddToCartSuccess');

  const CheckoutSuccess = z
    .object({
      status: z.literal('Success'),
      error: z.literal(''),
      orderID: uuid('The order id.'),
      total: cents('Amount charged, in integer cents.'),
    })
    .openapi('CheckoutSuccess');

  const CheckoutPending = z
    .object({ status: z.literal('Pending'), error: z.literal(''), orderID: uuid('Poll GET /orders/{orderID} for the outcome.') })
    .openapi('CheckoutPending', { description: 'The outcome is not known yet; the order exists (or will, the job is durably queued).' });

  const OrderItem = z
    .object({
      productID: z.string(),
      quantity: z.number().int().min(1),
      unitPrice: cents('Unit price charged, in integer cents (the deal price inside the deal window).'),
    })
    .openapi('OrderItem');

  const Order = z
    .object({
      orderID: uuid('The order id.'),
      clientID: z.string(),
      status: z.enum(['pending', 'confirmed', 'failed']),
      error: z.string().openapi({ description: 'Why the order failed, empty otherwise.' }),
      code: z.union([ErrorCodeSchema, z.literal('')]).openapi({ description: 'Error code of a failed order, empty otherwise.' }),
      items: z.array(OrderItem),
      total: cents('Order total, in integer cents.'),
      payment: z.enum(['none', 'charged', 'declined', 'refunded']),
      createdAt: isoDate('When the order was recorded (UTC).'),
      updatedAt: isoDate('Last status change (UTC).'),
    })
    .openapi('Order');

  const OrderList = z.object({ orders: z.array(Order).openapi({ description: 'Newest first, at most 100.' }) }).openapi('OrderList');

  const Cart = z
    .object({
      clientID: z.string(),
      items: z.array(z.object({ productID: z.string(), quantity: z.number().int().min(1) })),
    })
    .openapi('Cart');

  const Product = z
    .object({
      productID: z.string(),
      name: z.string(),
      price: cents('Regular price, in integer cents.'),
      dealPrice: cents('Deal price, in integer cents, or null without a deal.').nullable(),
      dealStartsAt: isoDate('Deal window start (UTC), or null.').nullable(),
      dealEndsAt: isoDate('Deal window end (UTC, exclusive), or null.').nullable(),
      dealOnly: z.boolean().openapi({ description: 'Sold only inside the deal window (checkout outside it: 409 DEAL_NOT_ACTIVE).' }),
      dealActive: z.boolean().openapi({ description: 'The deal window is open now.' }),
      available: z.number().int().min(0).openapi({ description: 'Units available to sell now.' }),
      reserved: z.number().int().min(0).openapi({ description: 'Units held by pending payments.' }),
      sold: z.number().int().min(0),
    })
    .openapi('Product');

  const ProductList = z.object({ products: z.array(Product) }).openapi('ProductList');

  const Health = z.object({ status: z.literal('ok') }).openapi('Health');

  const DependencyChecks = z
    .record(z.string(), z.string().regex(/^(up|down: .*)$/))
    .openapi('DependencyChecks', {
      description: 'Each dependency by name (`broker`, `database`): `up`, or `down: <short reason>`.',
      example: { broker: 'up', database: 'up' },
    });
  const Readiness = z.object({ status: z.literal('ready'), checks: DependencyChecks }).openapi('Readiness');
  const NotReady = Failure.extend({ checks: DependencyChecks }).openapi('NotReady', {
    example: { status: 'Failed', code: 'SERVICE_UNAVAILABLE', error: 'not ready: database down: access denied', checks: { broker: 'up', database: 'down: access denied' } },
  });

  // No example: no order exists before a checkout. The id comes from the checkout response (its GetOrder link).
  const OrderParams = z.object({
    orderID: uuidSchema().openapi({
      description: 'The `orderID` of a POST /checkOutCart response (success, 202 Pending, or a failure that names an order): copy it from there.',
    }),
  });
  const OrdersQuery = z.object({ clientID: identifier('The client whose orders to list', EXAMPLE_CLIENT_ID) });
  const CartParams = z.object({ clientID: identifier('The client', EXAMPLE_CLIENT_ID) });
  const ProductParams = z.object({ productID: identifier('The product', EXAMPLE_PRODUCT_ID) });

  return {
    ErrorCodeSchema,
    Failure,
    AddToCartRequest,
    CheckoutRequest,
    IdempotencyHeaders,
    AddToCartSuccess,
    CheckoutSuccess,
    CheckoutPending,
    Order,
    OrderList,
    Cart,
    Product,
    ProductList,
    Health,
    Readiness,
    NotReady,
    OrderParams,
    OrdersQuery,
    CartParams,
    ProductParams,
  };
}

export type ApiSchemas = ReturnType<typeof createSchemas>;

export interface RouteRequest {
  body?: z.ZodType;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
}

/** One route; its key in `routes` (getOrder, checkout, ...) is its OpenAPI operationId. */
export interface RouteContract {
  method: 'get' | 'post';
  /** OpenAPI style: /orders/{orderID} */
  path: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  request: RouteRequest;
  responses: Record<number, ResponseConfig>;
}

type InferOr<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** What a handler receives: the validated (parsed) parts of its request. */
export type RouteInput<R extends RouteContract> = {
  body: InferOr<R['request']['body']>;
  params: InferOr<R['request']['params']>;
  query: InferOr<R['request']['query']>;
  headers: InferOr<R['request']['headers']>;
};

const retryAfterHeader = (description: string) => ({
  [RETRY_AFTER_HEADER]: { description, schema: { type: 'integer' as const, minimum: 1, example: 1 } },
});

export function createContract(limits: ContractLimits) {
  const s = createSchemas(limits);
  const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

  /**
   * The order a checkout response names (every checkout answer but a malformed request does): Swagger UI shows it
   * under the response; clients following links get GET /orders/{orderID} with the orderID filled in.
   */
  const orderLinks = {
    GetOrder: {
      operationId: GET_ORDER_OPERATION_ID,
      parameters: { orderID: '$response.body#/orderID' },
      description: 'The order of this checkout: GET /orders/{orderID} with the `orderID` of this response.',
    },
  };
  const linked = (responses: Record<number, ResponseConfig>, ...statuses: number[]): Record<number, ResponseConfig> =>
    Object.fromEntries(Object.entries(responses).map(([status, r]) => [status, statuses.includes(Number(status)) ? { ...r, links: orderLinks } : r]));

  /** One response entry per HTTP status, listing each code it can carry with its catalog description. */
  function failures(...codes: ErrorCode[]): Record<number, ResponseConfig> {
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of codes) byStatus.set(httpStatusOf(code), [...(byStatus.get(httpStatusOf(code)) ?? []), code]);
    const out: Record<number, ResponseConfig> = {};
    for (const [status, group] of byStatus) {
      const retrying = group.filter((code) => RETRY_AFTER_CODES.has(code));
      out[status] = {
        description: group.map((code) => `\`${code}\`: ${ERROR_CATALOG[code].description}`).join('\n\n'),
        ...(retrying.length ? { headers: retryAfterHeader(`Seconds to wait before retrying; sent with ${retrying.join(', ')}.`) } : {}),
        content: json(s.Failure),
      };
    }
    return out;
  }

  const routes = {
    addToCart: {
      method: 'post',
      path: '/addToCart',
      summary: 'Add units of a product to the client\'s cart',
      description:
        'Adds to the client\'s cart line (quantities add up). A soft stock check: nothing is reserved. ' +
        'Send an Idempotency-Key to make a retry safe after a timeout (503).',
      tags: ['cart'],
      request: { body: s.AddToCartRequest, headers: s.IdempotencyHeaders },
      responses: {
        200: { description: 'Added.', content: json(s.AddToCartSuccess) },
        ...failures('INVALID_REQUEST', 'PAYLOAD_TOO_LARGE', 'PRODUCT_NOT_FOUND', 'INSUFFICIENT_STOCK', 'SOLD_OUT', 'ALL_RESERVED', 'DEAL_NOT_ACTIVE', 'SERVICE_UNAVAILABLE', 'INTERNAL'),
      },
    },
    checkout: {
      method: 'post',
      path: '/checkOutCart',
      summary: 'Turn the client\'s whole cart into an order and buy it',
      description:
        'Reserves every line, charges the payment and commits, then answers with the outcome. If the outcome is not ' +
        'known within the configured wait, answers 202 Pending with the orderID: poll GET /orders/{orderID}. ' +
        'A second checkout of the same client while one is in flight gets 409 CHECKOUT_IN_PROGRESS; a retry with ' +
        'the same Idempotency-Key instead returns the first one\'s order and its current status.',
      tags: ['checkout'],
      request: { body: s.CheckoutRequest, headers: s.IdempotencyHeaders },
      responses: linked(
        {
          200: { description: 'Confirmed: the units are sold and the payment charged.', content: json(s.CheckoutSuccess) },
          202: {
            description: 'Pending: the outcome is not known yet.',
            headers: retryAfterHeader('Seconds to wait before polling GET /orders/{orderID} (or retrying with the same Idempotency-Key).'),
            content: json(s.CheckoutPending),
          },
          ...failures(
            'INVALID_REQUEST',
            'EMPTY_CART',
            'PAYLOAD_TOO_LARGE',
            'PAYMENT_DECLINED',
            'SOLD_OUT',
            'ALL_RESERVED',
            'INSUFFICIENT_STOCK',
            'RESERVATION_EXPIRED',
            'CHECKOUT_IN_PROGRESS',
            'DEAL_NOT_ACTIVE',
            'PRODUCT_NOT_FOUND',
            'SERVICE_UNAVAILABLE',
            'INTERNAL',
          ),
        },
        200,
        202,
        400,
        402,
        409,
      ),
    },
    [GET_ORDER_OPERATION_ID]: {
      method: 'get',
      path: '/orders/{orderID}',
      summary: 'One order with its items, total and payment status',
      tags: ['orders'],
      request: { params: s.OrderParams },
      responses: { 200: { description: 'The order.', content: json(s.Order) }, ...failures('INVALID_REQUEST', 'ORDER_NOT_FOUND', 'SERVICE_UNAVAILABLE', 'INTERNAL') },
    },
    listOrders: {
      method: 'get',
      path: '/orders',
      summary: 'A client\'s orders, newest first (at most 100)',
      tags: ['orders'],
      request: { query: s.OrdersQuery },
      responses: { 200: { description: 'The orders.', content: json(s.OrderList) }, ...failures('INVALID_REQUEST', 'SERVICE_UNAVAILABLE', 'INTERNAL') },
    },
    getCart: {
      method: 'get',
      path: '/carts/{clientID}',
      summary: 'The client\'s cart lines (empty list if none)',
      tags: ['cart'],
      request: { params: s.CartParams },
      responses: { 200: { description: 'The cart.', content: json(s.Cart) }, ...failures('INVALID_REQUEST', 'SERVICE_UNAVAILABLE', 'INTERNAL') },
    },
    listProducts: {
      method: 'get',
      path: '/products',
      summary: 'All products with prices, deal and stock counters',
      tags: ['products'],
      request: {},
      responses: { 200: { description: 'The products.', content: json(s.ProductList) }, ...failures('SERVICE_UNAVAILABLE', 'INTERNAL') },
    },
    getProduct: {
      method: 'get',
      path: '/products/{productID}',
      summary: 'One product with its price, deal and stock counters',
      tags: ['products'],
      request: { params: s.ProductParams },
      responses: { 200: { description: 'The product.', content: json(s.Product) }, ...failures('INVALID_REQUEST', 'PRODUCT_NOT_FOUND', 'SERVICE_UNAVAILABLE', 'INTERNAL') },
    },
    healthz: {
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: 200 while the process runs',
      tags: ['operations'],
      request: {},
      responses: { 200: { description: 'Alive.', content: json(s.Health) } },
    },
    readyz: {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: 200 when RabbitMQ and MariaDB answer, else 503 naming the one that is down',
      tags: ['operations'],
      request: {},
      responses: {
        200: { description: 'Ready: every dependency answers.', content: json(s.Readiness) },
        503: {
          description: `\`SERVICE_UNAVAILABLE\`: a dependency is down; \`checks\` names it.`,
          headers: retryAfterHeader('Seconds to wait before asking again.'),
          content: json(s.NotReady),
        },
      },
    },
  } satisfies Record<string, RouteContract>;

  return { schemas: s, routes };
}

export type Contract = ReturnType<typeof createContract>;
export type Routes = Contract['routes'];
export type RouteId = keyof Routes;
