import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

// The OpenAPI document is generated from the route schemas, never written by hand.
// Operations and fields Habla adds to the Diga contract carry `x-habla-extension: true`.
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Habla API',
        version: '0.1.0',
        description:
          'Wire-compatible with the Diga API (2026-07-03). Additions are marked `x-habla-extension: true`.',
      },
      components: {
        securitySchemes: { CustomHTTPBearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    // Shared schemas (app.addSchema, e.g. the recursive SpanResponse) keep their $id as the
    // component name, as in the contract, instead of def-0, def-1…
    refResolver: {
      buildLocalReference: (json: any, _baseUri: unknown, _fragment: unknown, i: number) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
    // GET operations that take a JSON body declare it as `getBody` (see http/get-body.ts).
    transform: ({ schema, url }: { schema: any; url: string }) =>
      schema?.getBody ? { schema: { ...schema, body: schema.getBody }, url } : { schema, url },
    // @fastify/swagger marks every body required; a GET body is an optional filter (as in the contract).
    transformObject: (document: any) => {
      for (const item of Object.values<any>(document.openapiObject.paths ?? {})) {
        if (item.get?.requestBody) delete item.get.requestBody.required;
      }
      return document.openapiObject;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
