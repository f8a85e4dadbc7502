import { readFile } from 'node:fs/promises';
import { InvalidOptionError, isInvalidOptionError } from '../core/index.ts';
import { resolveChaosConfig, type ChaosConfig } from './config.ts';

/**
 * Reads a chaos config from a JSON file and validates it: the result can be passed to
 * `chaos.run`, `chaos.configure` or `new ChaosEngine`. Errors name the file, then the field's
 * path, the value and what is allowed. (YAML files are read by the CLI and the experiment
 * loader, which hand the parsed object to `resolveChaosConfig`.)
 *
 * @example
 * ```ts
 * chaos.configure(await loadChaosConfig('chaos.json'));
 * ```
 */
export async function loadChaosConfig(path: string): Promise<ChaosConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidOptionError(
      `${path}: cannot read the chaos config (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      { owner: path, option: 'path', value: path, expected: 'a readable JSON file' },
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidOptionError(
      `${path}: not valid JSON (${(error as Error).message})`,
      { owner: path, option: 'json', value: text.slice(0, 40), expected: 'a JSON object' },
      { cause: error },
    );
  }
  try {
    resolveChaosConfig(parsed);
  } catch (error) {
    if (isInvalidOptionError(error)) {
      throw new InvalidOptionError(`${path}: ${error.message}`, error, { cause: error });
    }
    throw error;
  }
  return parsed as ChaosConfig;
}
