export type { InterceptorHandle } from './interceptor-handle.ts';
export {
  chaosInterceptor,
  installFetchInterceptor,
  type FetchInterceptorOptions,
} from './fetch-interceptor.ts';
export { interceptFetch, type FetchFunction } from './intercept-fetch.ts';
export { installFsInterceptor } from './fs-interceptor.ts';
export { installChildProcessInterceptor } from './child-process-interceptor.ts';
export {
  startPressureTicker,
  type PressureTicker,
  type PressureTickerOptions,
} from './pressure-ticker.ts';
export { installInterceptors, type InstallInterceptorsOptions } from './install-interceptors.ts';
