import type { CliIo } from './main.ts';
import { UsageError } from './usage-error.ts';

const loopback = /^(?:127(?:\.\d{1,3}){3}|localhost|::1|\[::1\])$/;

/** Refuses a non-loopback bind address unless the user said `--allow-remote`. */
export function checkBindAddress(host: string, allowRemote: boolean | undefined): void {
  if (!loopback.test(host) && allowRemote !== true) {
    throw new UsageError(
      `--host ${host} would expose the server beyond this machine`,
      'add --allow-remote if that is what you want',
    );
  }
}

/**
 * Keeps a server command running until SIGINT or SIGTERM, then closes it and resolves. A second
 * signal while closing exits at once.
 */
export function serveUntilSignal(io: CliIo, close: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let closing = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (closing) process.exit(130);
      closing = true;
      io.stderr(`faultline: ${signal} received, shutting down\n`);
      close().then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      }, reject);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
