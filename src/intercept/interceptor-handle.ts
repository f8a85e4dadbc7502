/**
 * What every `install…Interceptor()` returns: undoes the installation. Uninstalling twice does
 * nothing; `using handle = installFsInterceptor()` uninstalls at the end of the block.
 */
export interface InterceptorHandle {
  /** True until {@link uninstall} is called. */
  readonly installed: boolean;
  /** Restores what was there before the install; calling it again does nothing. */
  uninstall(): void;
  /** Same as {@link uninstall}. */
  [Symbol.dispose](): void;
}

/** Wraps an undo function into an idempotent {@link InterceptorHandle}. @internal */
export function interceptorHandle(undo: () => void): InterceptorHandle {
  let installed = true;
  const uninstall = (): void => {
    if (!installed) return;
    installed = false;
    undo();
  };
  return {
    get installed() {
      return installed;
    },
    uninstall,
    [Symbol.dispose]: uninstall,
  };
}
