import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile, checkTree, importSpecifiers } from './layering.ts';

const src = join(import.meta.dirname, '..', 'src');
const file = (path: string): string => join(src, path);

describe('import direction (ARCHITECTURE.md)', () => {
  it('holds for every file in src/', () => {
    expect(checkTree(src)).toEqual([]);
  });

  it('finds static, type-only, re-export and dynamic imports', () => {
    const source = `
      import { a } from './a.ts';
      import type { B } from "../b.ts";
      export { c } from './c.ts';
      export * from './d.ts';
      import './side-effect.ts';
      const e = await import('./e.ts');
      // import { ignored } from './comment.ts';
    `;
    expect(importSpecifiers(source)).toEqual([
      './a.ts',
      '../b.ts',
      './c.ts',
      './d.ts',
      './side-effect.ts',
      './e.ts',
    ]);
  });

  it('rejects policies/ importing faults/', () => {
    const violations = checkFile(
      src,
      file('policies/retry.ts'),
      "import { x } from '../faults/index.ts';",
    );
    expect(violations).toEqual([
      {
        file: file('policies/retry.ts'),
        specifier: '../faults/index.ts',
        reason: 'policies/ may not import faults/',
      },
    ]);
  });

  it('rejects core/ importing anything above it', () => {
    const violations = checkFile(
      src,
      file('core/clock.ts'),
      "import type { Policy } from '../policies/types.ts';",
    );
    expect(violations.map((v) => v.reason)).toEqual(['core/ may not import policies/']);
  });

  it('rejects anything importing cli/, even layers allowed everything else', () => {
    const violations = checkFile(
      src,
      file('experiments/runner.ts'),
      "import { main } from '../cli/main.ts';",
    );
    expect(violations.map((v) => v.reason)).toEqual(['nothing imports cli/']);
  });

  it('rejects third-party packages in the dependency-free layers but allows node: built-ins', () => {
    expect(
      checkFile(src, file('faults/x.ts'), "import { z } from 'zod';").map((v) => v.reason),
    ).toEqual(['faults/ takes no third-party dependency']);
    expect(
      checkFile(src, file('faults/x.ts'), "import { AsyncLocalStorage } from 'node:async_hooks';"),
    ).toEqual([]);
    expect(checkFile(src, file('experiments/x.ts'), "import { z } from 'zod';")).toEqual([]);
  });

  it('lets tests import any layer, but never cli/', () => {
    expect(
      checkFile(src, file('metrics/x.test.ts'), "import { retry } from '../policies/index.ts';"),
    ).toEqual([]);
    expect(
      checkFile(src, file('metrics/x.test.ts'), "import { main } from '../cli/main.ts';").map(
        (v) => v.reason,
      ),
    ).toEqual(['nothing imports cli/']);
  });

  it('allows what the table allows', () => {
    expect(checkFile(src, file('proxy/x.ts'), "import { m } from '../metrics/index.ts';")).toEqual(
      [],
    );
    expect(checkFile(src, file('cli/main.ts'), "import { p } from '../proxy/index.ts';")).toEqual(
      [],
    );
    expect(checkFile(src, file('index.ts'), "export * from './policies/index.ts';")).toEqual([]);
  });
});
