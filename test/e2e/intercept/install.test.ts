/** `installInterceptors()`: all three at once, all three restored. */
import childProcess from 'node:child_process';
import fs from 'node:fs';
import { getGlobalDispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { installInterceptors } from '../../../src/intercept/index.ts';

describe('installInterceptors', () => {
  it('patches fetch, fs and child_process, and the handle restores every one', () => {
    const before = {
      dispatcher: getGlobalDispatcher(),
      writeFile: fs.promises.writeFile,
      readFileSync: fs.readFileSync,
      spawn: childProcess.spawn,
    };
    const handle = installInterceptors();
    expect(getGlobalDispatcher()).not.toBe(before.dispatcher);
    expect(fs.promises.writeFile).not.toBe(before.writeFile);
    expect(fs.readFileSync).not.toBe(before.readFileSync);
    expect(childProcess.spawn).not.toBe(before.spawn);
    handle.uninstall();
    handle.uninstall();
    expect({
      dispatcher: getGlobalDispatcher(),
      writeFile: fs.promises.writeFile,
      readFileSync: fs.readFileSync,
      spawn: childProcess.spawn,
    }).toEqual(before);
  });

  it('leaves out what it is told to', () => {
    const spawn = childProcess.spawn;
    const dispatcher = getGlobalDispatcher();
    const handle = installInterceptors({ fetch: false, childProcess: false });
    expect(childProcess.spawn).toBe(spawn);
    expect(getGlobalDispatcher()).toBe(dispatcher);
    handle[Symbol.dispose]();
    expect(handle.installed).toBe(false);
  });
});
