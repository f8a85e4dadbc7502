export {
  createAdminHandler,
  DEFAULT_BODY_LIMIT,
  PROXY_API_VERSION,
  type AdminHandler,
  type AdminHandlerOptions,
} from './admin-handler.ts';
export {
  ProxyApiError,
  isProxyApiError,
  proxyApiErrors,
  type ProxyApiErrorKind,
} from './api-error.ts';
export {
  ChaosProxy,
  netBinder,
  type Binder,
  type Listener,
  type ToxicChangeEvent,
} from './chaos-proxy.ts';
export { ProxyConfigError, isProxyConfigError, loadProxyConfig } from './config.ts';
export { silentProxyLogger, type ProxyLogEntry, type ProxyLogger } from './logger.ts';
export { toNodeListener } from './node-adapter.ts';
export { ProxyRegistry, type ProxyRegistryOptions } from './proxy-registry.ts';
export { startProxyServer, type ProxyServer, type ProxyServerOptions } from './proxy-server.ts';
export {
  toxicTypes,
  type AttributeSpec,
  type ToxicEntry,
  type ToxicKind,
  type ToxicTypeSpec,
} from './toxic-schema.ts';
export * from './client/index.ts';
