import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/src/generated/**", ".vigil/**", "scripts/neo4j/lib/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Only cli/src/env.ts and test-support may read the environment (DESIGN.md §3).
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "read configuration through the parsed env in cli/src/env.ts" },
      ],
    },
  },
  {
    files: [
      "cli/src/main.ts",
      "cli/bin/**",
      "test-support/**",
      "prisma/scripts/**",
      "scripts/**",
      "bench/**",
      "**/*.test.ts",
      "**/*.config.ts",
    ],
    rules: { "no-restricted-properties": "off" },
  },
);
