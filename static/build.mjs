// Builds static/dist from nhsuk-frontend and static/src: run by `npm run build`
// (and so by `make run` and `make test`). static/dist is not committed.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nhsuk = join(root, "node_modules", "nhsuk-frontend", "dist", "nhsuk");
const dist = join(root, "static", "dist");

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const css = sass.compile(join(root, "static", "src", "spl.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(dist, "spl.css"), css.css);
cpSync(join(nhsuk, "nhsuk-frontend.min.js"), join(dist, "nhsuk-frontend.min.js"));
cpSync(join(nhsuk, "assets"), join(dist, "assets"), { recursive: true });
cpSync(join(root, "static", "src", "spl.js"), join(dist, "spl.js"));
console.log(`Built ${dist}`);
