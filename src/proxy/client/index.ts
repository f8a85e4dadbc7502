export {
  ProxyClient,
  ProxyClientError,
  isProxyClientError,
  type ProxyClientOptions,
} from './proxy-client.ts';
export type {
  ApiErrorJson,
  HttpMatchAttributes,
  HttpToxicAttributes,
  ProxyInput,
  ProxyJson,
  ProxyUpdate,
  StreamCutMode,
  TcpToxicAttributes,
  ToxicAttributesByType,
  ToxicInput,
  ToxicJson,
  ToxicStream,
  ToxicType,
  ToxicUpdate,
} from './types.ts';
