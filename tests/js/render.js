// Renders every item of a CSL-JSON file with citeproc-js and prints {id: html entry} as JSON.
// Usage: node render.js ITEMS.json STYLE.csl LOCALE.xml
"use strict";
const fs = require("fs");
const CSL = require("citeproc");

const [itemsPath, stylePath, localePath] = process.argv.slice(2);
const items = JSON.parse(fs.readFileSync(itemsPath, "utf8"));
const byId = new Map(items.map((item) => [item.id, item]));
const locale = fs.readFileSync(localePath, "utf8");
const sys = {
  retrieveLocale: () => locale,
  retrieveItem: (id) => byId.get(id),
};
const engine = new CSL.Engine(sys, fs.readFileSync(stylePath, "utf8"), "en-US");
engine.updateItems(items.map((item) => item.id));
const [params, entries] = engine.makeBibliography();
const result = {};
params.entry_ids.forEach((ids, index) => {
  result[ids[0]] = entries[index];
});
process.stdout.write(JSON.stringify({ errors: params.bibliography_errors, entries: result }));
