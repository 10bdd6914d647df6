import { OpenAPIRegistry, OpenApiGeneratorV3, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { ERROR_CATALOG, ERROR_CODES } from '../../../contracts/errors';
import { httpStatusOf } from './status';
import { METRICS_PATH } from '../../../common/src/metrics';
import { BODY_LIMIT_BYTES, type Contract, EXAMPLE_CLIENT_ID, EXAMPLE_PRODUCT_ID, IDEMPOTENCY_KEY_HEADER, RETRY_AFTER_HEADER, type RouteContract } from './contract';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

export const OPENAPI_PATH = '/openapi.json';
export const DOCUMENTATION_PATH = '/documentation';

const catalogTable = [
  '| Code | HTTP | Meaning |',
  '| --- | --- | --- |',
  ...ERROR_CODES.map((code) => `| \`${code}\` | ${httpStatusOf(code)} | ${ERROR_CATALOG[code].description} |`),
].join('\n');

/** The tag that carries the error catalog: listed last, so the operations come first on the page. */
export const ERRORS_TAG = 'error codes';

// Short on purpose: Swagger UI shows it above the operations, which must fit on the first screen.
const apiDescription = `
Flash-sale order system: add to cart, check out, follow orders. Money is in integer cents; times are ISO 8601 UTC.
Try it out as it comes: the examples buy the demo deal \`${EXAMPLE_PRODUCT_ID}\` (seeded by ./setup.sh) as \`${EXAMPLE_CLIENT_ID}\`:
POST /addToCart, POST /checkOutCart, then GET /orders/{orderID} with the \`orderID\` the checkout returned.

Every failure is \`{"status":"Failed","error":"<for a person>","code":"<CODE>"}\` (plus \`orderID\` once an order exists);
the codes are listed under *${ERRORS_TAG}* at the end.
`.trim();

const errorsDescription = `
Every failure is \`{"status":"Failed","error":"<for a person>","code":"<CODE>"}\`, plus \`orderID\` once an order
exists. \`${RETRY_AFTER_HEADER}\` (seconds) comes with 202 Pending, 503 \`SERVICE_UNAVAILABLE\` and 409 \`ALL_RESERVED\`.
Send \`${IDEMPOTENCY_KEY_HEADER}\` on POSTs to make retries safe (a new key per purchase, the same key only to repeat a
request that went unanswered). JSON bodies are limited to ${BODY_LIMIT_BYTES / 1024} KB. Unknown routes answer 404 \`NOT_FOUND\`.

${catalogTable}
`.trim();

function toRouteConfig(operationId: string, route: RouteContract): RouteConfig {
  const { body, params, query, headers } = route.request;
  return {
    operationId,
    method: route.method,
    path: route.path,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [...route.tags],
    request: {
      ...(body ? { body: { required: true, content: { 'application/json': { schema: body } } } } : {}),
      ...(params ? { params } : {}),
      ...(query ? { query } : {}),
      ...(headers ? { headers } : {}),
    },
    responses: route.responses,
  };
}

/** The OpenAPI 3 document, generated from the same schemas that validate requests. */
export function buildOpenApiDocument(contract: Contract, version = '1.0.0'): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.register('Failure', contract.schemas.Failure);
  for (const [id, route] of Object.entries(contract.routes)) registry.registerPath(toRouteConfig(id, route));

  registry.registerPath({
    operationId: 'getOpenApiDocument',
    method: 'get',
    path: OPENAPI_PATH,
    summary: 'This OpenAPI 3 document',
    tags: ['documentation'],
    responses: { 200: { description: 'The document.', content: { 'application/json': { schema: { type: 'object' } } } } },
  });
  registry.registerPath({
    operationId: 'metrics',
    method: 'get',
    path: METRICS_PATH,
    summary: 'Prometheus metrics (open connections, Node process metrics)',
    tags: ['operations'],
    responses: { 200: { description: 'Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } } },
  });
  registry.registerPath({
    operationId: 'documentation',
    method: 'get',
    path: DOCUMENTATION_PATH,
    summary: 'Swagger UI for this document',
    tags: ['documentation'],
    responses: { 200: { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } },
  });

  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'Flash-sale API gateway', version, description: apiDescription },
    tags: [
      { name: 'cart', description: 'The client\'s cart' },
      { name: 'checkout', description: 'Buying the cart' },
      { name: 'orders', description: 'Order status' },
      { name: 'products', description: 'Catalog, deals and stock' },
      { name: 'operations', description: 'Health and readiness' },
      { name: 'documentation', description: 'This document' },
      { name: ERRORS_TAG, description: errorsDescription },
    ],
  });
}
