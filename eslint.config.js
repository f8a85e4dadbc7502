// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Wall-clock time and ambient randomness are injected through core/clock and core/random. */
const ambientTimeAndRandomness = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Use the injected Clock (core/clock).' },
    { object: 'Math', property: 'random', message: 'Use the injected Random (core/random).' },
    { object: 'performance', property: 'now', message: 'Use the injected Clock (core/clock).' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'Use the injected Clock (core/clock).' },
    { name: 'setInterval', message: 'Use the injected Clock (core/clock).' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.faultline/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/consistent-type-exports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        { selector: "CallExpression[callee.name='eval']", message: 'Never evaluate strings.' },
        { selector: "NewExpression[callee.name='Function']", message: 'Never evaluate strings.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: [
      'src/core/clock.ts',
      'src/core/real-clock.ts',
      'src/core/random.ts',
      'src/**/*.test.ts',
    ],
    rules: ambientTimeAndRandomness,
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
  {
    files: ['eslint.config.js', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly' } },
  },
);
