// Reads a .bib with citation-js (plugin-bibtex, its default biblatex mapping) and prints the CSL-JSON items it
// makes, so tests/test_clients.py can compare every field with what the export meant.
// Usage: node bibtex.js REFERENCES.bib
"use strict";
const fs = require("fs");
const { Cite } = require("@citation-js/core");
require("@citation-js/plugin-bibtex");

const items = new Cite(fs.readFileSync(process.argv[2], "utf8")).data.map((item) => {
  const { _graph, ...fields } = item; // eslint-disable-line no-unused-vars
  return fields;
});
process.stdout.write(JSON.stringify(items));
