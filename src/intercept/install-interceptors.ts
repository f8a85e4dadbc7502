import { installChildProcessInterceptor } from './child-process-interceptor.ts';
import { installFetchInterceptor, type FetchInterceptorOptions } from './fetch-interceptor.ts';
import { installFsInterceptor } from './fs-interceptor.ts';
import { interceptorHandle, type InterceptorHandle } from './interceptor-handle.ts';

/** Which interceptors {@link installInterceptors} installs. */
export interface InstallInterceptorsOptions {
  /**
   * Node's global `fetch` (undici's global dispatcher), or its options.
   * @default true
   */
  readonly fetch?: boolean | FetchInterceptorOptions;
  /**
   * `node:fs` and `node:fs/promises`.
   * @default true
   */
  readonly fs?: boolean;
  /**
   * `node:child_process`.
   * @default true
   */
  readonly childProcess?: boolean;
}

/**
 * Installs the fetch, fs and child_process interceptors at once (each can be left out); the
 * handle uninstalls them all, in reverse order.
 *
 * @example
 * ```ts
 * using interceptors = installInterceptors({ childProcess: false });
 * await chaos.run(config, () => agent.run(task));
 * ```
 */
export function installInterceptors(options: InstallInterceptorsOptions = {}): InterceptorHandle {
  const handles: InterceptorHandle[] = [];
  const { fetch = true, fs = true, childProcess = true } = options;
  if (fetch !== false) handles.push(installFetchInterceptor(fetch === true ? {} : fetch));
  if (fs) handles.push(installFsInterceptor());
  if (childProcess) handles.push(installChildProcessInterceptor());
  return interceptorHandle(() => {
    for (const handle of handles.reverse()) handle.uninstall();
  });
}
