// Lint rules (STYLE.md 8.9): type-aware rules stay off to keep `npm test` fast;
// tsc --noEmit does the type checking.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'examples/**', '**/*.d.ts', 'fixtures/**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['src/cli/**', 'bin/**', 'test/**', 'bench/**', 'fixtures/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
