/** Public surface of the SIP message layer and digest authentication (see README.md). */
export * from './result.ts';
export type { Params } from './syntax.ts';
export { canonicalHeaderName, compactHeaderName, isListHeader } from './header-names.ts';
export * from './message.ts';
export * from './uri.ts';
export { parseMessage, DEFAULT_LIMITS, type ParseOptions, type ParseResult } from './parser.ts';
export * from './serializer.ts';
export * from './typed-headers.ts';
export * from './accessors.ts';
export * from './validate.ts';
export * from './response.ts';
export * from './digest.ts';
export { parseAuthHeader, type AuthHeader } from './digest-params.ts';
export * from './digest-client.ts';
export * from './digest-server.ts';
